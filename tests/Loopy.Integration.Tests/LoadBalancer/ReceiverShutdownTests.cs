using System.Net;
using System.Net.Sockets;
using System.Text;
using Loopy.Testing;

namespace Loopy.Integration.Tests.LoadBalancer;

/// <summary>SIGTERM to a real Receiver process: it finishes what it holds and exits 0; readiness turns unhealthy first.</summary>
[Collection(ServerOutages.Name)]
public sealed class ReceiverShutdownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_in_flight_when_SIGTERM_arrives_is_finished_and_accepted_before_the_Receiver_exits()
    {
        await using var deployment = await ReceiverDeployment.CreateAsync(TestServers.Postgres, TestServers.RabbitMq, Ct);
        var environment = new Dictionary<string, string>(deployment.Environment)
        {
            ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
        };
        await using var receiver = HostProcess.Receiver("receiver", NginxProcess.FreePort(), environment);
        receiver.Start();
        await receiver.WaitHealthyAsync(Ct);
        await receiver.WarmUpAsync(Ct);

        // Headers and half of the body are sent; the rest only after the Receiver started shutting down.
        var id = $"inflight-{Guid.NewGuid():N}";
        var body = Encoding.UTF8.GetBytes($$$"""{"id":"{{{id}}}","name":"Ping","fields":{"n":"{{{id}}}"}}""");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, receiver.Port, Ct);
        var stream = tcp.GetStream();
        var head = $"POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {ReceiverDeployment.Secret}\r\n"
            + $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);
        await stream.WriteAsync(body.AsMemory(0, body.Length / 2), Ct);
        await receiver.WaitForOutputAsync("Request starting HTTP/1.1 POST", Ct);

        receiver.Terminate();
        await receiver.WaitForOutputAsync("Application is shutting down", Ct);
        await stream.WriteAsync(body.AsMemory(body.Length / 2), Ct);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var response = await reader.ReadToEndAsync(Ct);

        Assert.True(response.StartsWith("HTTP/1.1 202", StringComparison.Ordinal), response + "\n" + receiver.Output);
        await receiver.WaitForExitAsync(Ct);
        Assert.Equal(0, receiver.ExitCode);
        await Wait.UntilAsync(() => deployment.Published.Any(d => d.Message.EventId == id), TimeSpan.FromSeconds(30), Ct);
    }

    [Fact]
    public async Task With_a_drain_delay_a_terminated_Receiver_reports_unhealthy_yet_still_accepts_until_it_stops()
    {
        await using var deployment = await ReceiverDeployment.CreateAsync(TestServers.Postgres, TestServers.RabbitMq, Ct);
        var environment = new Dictionary<string, string>(deployment.Environment)
        {
            ["Loopy__Shutdown__DrainDelay"] = "00:00:10",
            ["shutdownTimeoutSeconds"] = "30",
        };
        await using var receiver = HostProcess.Receiver("receiver", NginxProcess.FreePort(), environment);
        receiver.Start();
        await receiver.WaitHealthyAsync(Ct);
        await receiver.WarmUpAsync(Ct);
        using var client = ReceiverDeployment.Client(receiver.Url);

        receiver.Terminate();
        await Wait.UntilAsync(async () =>
        {
            using var health = await client.GetAsync(new Uri("/health", UriKind.Relative), Ct);
            return health.StatusCode == HttpStatusCode.ServiceUnavailable && (await health.Content.ReadAsStringAsync(Ct)).Contains("draining", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(5), Ct);
        using (var alive = await client.GetAsync(new Uri("/alive", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        }

        var id = $"draining-{Guid.NewGuid():N}";
        using (var accepted = await client.PostAsync(new Uri("/events", UriKind.Relative), ReceiverDeployment.Ping(id), Ct))
        {
            Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync(Ct) + "\n" + receiver.Output);
        }

        await receiver.WaitForExitAsync(Ct);
        Assert.Equal(0, receiver.ExitCode);
        await Wait.UntilAsync(() => deployment.Published.Any(d => d.Message.EventId == id), TimeSpan.FromSeconds(30), Ct);
    }
}
