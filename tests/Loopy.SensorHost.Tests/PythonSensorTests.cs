using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Loopy.Testing;

namespace Loopy.SensorHost.Tests;

/// <summary>Python <c>@sensor</c> files (AUTHORING.md §4.4) run through the python3 shim as exec sensors.</summary>
public sealed class PythonSensorTests
{
    private const string SensorFile = """
        from loopy import sensor, events


        @sensor(webhook="/hooks/py", emits="Ping")
        def py_ping(req):
            for n in req.json["numbers"]:
                yield events.Ping(n=n)


        @sensor(poll="1s", emits="Tick")
        async def py_tick(tick):
            return events.Tick(last_run=tick.last_run.isoformat())


        @sensor(webhook="/hooks/py-wrong", emits="Ping")
        def py_wrong(req):
            return events.Tick(last_run="x")
        """;

    private static readonly string Manifest = TestManifest.With(
        Module("py_ping", "Ping", """{ "kind": "webhook", "path": "/hooks/py" }"""),
        Module("py_tick", "Tick", """{ "kind": "poll", "interval": "1s" }"""),
        Module("py_wrong", "Ping", """{ "kind": "webhook", "path": "/hooks/py-wrong" }"""));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Python_webhook_and_poll_sensors_emit_through_the_shim_and_a_wrong_event_fails()
    {
        using var project = new TestProject(Manifest);
        project.Write("sensors/pyhooks.py", SensorFile);
        await using var receiver = new ReceiverServer(project.Root, Manifest);
        await receiver.StartAsync(Ct);
        await using var host = await SensorHostServer.StartAsync(
            project.Root, receiver.Url, new Dictionary<string, string?> { ["Loopy:SensorHost:AllowUnverifiedOnLoopback"] = "true" }, Ct);

        using var client = host.CreateClient();
        using var response = await client.SendAsync(WebhookProject.Json("/hooks/py", """{"numbers": [7, 8, 9]}"""), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(3, answer.GetProperty("ids").GetArrayLength());

        using var wrong = await client.SendAsync(WebhookProject.Json("/hooks/py-wrong", "{}"), Ct);
        Assert.Equal(HttpStatusCode.BadGateway, wrong.StatusCode);

        await Wait.UntilAsync(() => receiver.Of("Tick").Count >= 2, TimeSpan.FromSeconds(30), Ct);
        await receiver.DrainAsync(Ct);
        Assert.Equal([7, 8, 9], receiver.Of("Ping").Select(d => d.Message.Fields.GetProperty("n").GetInt32()).Order());
        var windows = receiver.Of("Tick").Select(d => d.Message.Fields.GetProperty("last_run").GetString()).ToList();
        Assert.Equal(windows.Count, windows.Distinct().Count());
    }

    private static string Module(string fn, string emits, string trigger) => $$"""
        { "name": "{{fn}}", "emits": "{{emits}}", "source": "module", "provider": null, "module": "sensors.pyhooks", "fn": "{{fn}}",
          "declared": null, "trigger": {{trigger}} }
        """;
}
