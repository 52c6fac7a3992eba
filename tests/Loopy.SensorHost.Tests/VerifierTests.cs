using System.Security.Cryptography;
using System.Text;
using Loopy.SensorHost.Verification;
using Microsoft.AspNetCore.Http;

namespace Loopy.SensorHost.Tests;

/// <summary>Each signature scheme against the vendor's documented example where one exists, and the ways it must fail.</summary>
public sealed class VerifierTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    // GitHub's documented example (docs.github.com, "Validating webhook deliveries").
    private const string GitHubSecret = "It's a Secret to Everybody";
    private const string GitHubPayload = "Hello, World!";
    private const string GitHubSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    [Fact]
    public void GitHub_documented_example_verifies()
    {
        var result = new GitHubVerifier(GitHubSecret).Verify(Headers(("X-Hub-Signature-256", GitHubSignature)), Bytes(GitHubPayload), Now);
        Assert.True(result.Succeeded, result.Reason);
    }

    [Fact]
    public void GitHub_fails_on_tampered_body_wrong_secret_missing_header_and_sha1_only()
    {
        Assert.False(new GitHubVerifier(GitHubSecret).Verify(Headers(("X-Hub-Signature-256", GitHubSignature)), Bytes("Hello, World?"), Now).Succeeded);
        Assert.False(new GitHubVerifier("another secret").Verify(Headers(("X-Hub-Signature-256", GitHubSignature)), Bytes(GitHubPayload), Now).Succeeded);
        Assert.False(new GitHubVerifier(GitHubSecret).Verify(Headers(), Bytes(GitHubPayload), Now).Succeeded);
        // Only the legacy header is sent: whatever its value, SHA-1 is refused.
        const string sha1 = "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59";
        var refused = new GitHubVerifier(GitHubSecret).Verify(Headers(("X-Hub-Signature", sha1)), Bytes(GitHubPayload), Now);
        Assert.False(refused.Succeeded);
        Assert.Contains("SHA-1", refused.Reason, StringComparison.Ordinal);
        Assert.False(new GitHubVerifier(GitHubSecret).Verify(Headers(("X-Hub-Signature-256", "sha256=zz")), Bytes(GitHubPayload), Now).Succeeded);
    }

    // Standard Webhooks' example (standard-webhooks spec and reference libraries' tests).
    private const string StandardSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string StandardId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const string StandardTimestamp = "1614265330";
    private const string StandardPayload = """{"test": 2432232314}""";
    private const string StandardSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    [Fact]
    public void Standard_Webhooks_documented_example_verifies_within_the_tolerance()
    {
        var verifier = new StandardWebhooksVerifier(StandardSecret, TimeSpan.FromSeconds(300));
        var headers = Headers(("webhook-id", StandardId), ("webhook-timestamp", StandardTimestamp), ("webhook-signature", "v1,bm90IGl0 " + StandardSignature));
        var at = DateTimeOffset.FromUnixTimeSeconds(1614265330 + 100);
        Assert.True(verifier.Verify(headers, Bytes(StandardPayload), at).Succeeded);
    }

    [Fact]
    public void Standard_Webhooks_fails_when_stale_tampered_or_keyed_differently()
    {
        var verifier = new StandardWebhooksVerifier(StandardSecret, TimeSpan.FromSeconds(300));
        var headers = Headers(("webhook-id", StandardId), ("webhook-timestamp", StandardTimestamp), ("webhook-signature", StandardSignature));
        var at = DateTimeOffset.FromUnixTimeSeconds(1614265330);
        Assert.False(verifier.Verify(headers, Bytes(StandardPayload), at.AddSeconds(301)).Succeeded);
        Assert.False(verifier.Verify(headers, Bytes(StandardPayload), at.AddSeconds(-301)).Succeeded);
        Assert.False(verifier.Verify(headers, Bytes("""{"test": 2432232315}"""), at).Succeeded);
        Assert.False(new StandardWebhooksVerifier("whsec_" + Convert.ToBase64String(Bytes("other")), TimeSpan.FromSeconds(300)).Verify(headers, Bytes(StandardPayload), at).Succeeded);
        var otherId = Headers(("webhook-id", "msg_other"), ("webhook-timestamp", StandardTimestamp), ("webhook-signature", StandardSignature));
        Assert.False(verifier.Verify(otherId, Bytes(StandardPayload), at).Succeeded);
    }

    // Slack's documented example (api.slack.com, "Verifying requests from Slack").
    private const string SlackSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string SlackTimestamp = "1531420618";
    private const string SlackBody = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    private const string SlackSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    [Fact]
    public void Slack_documented_example_verifies()
    {
        var verifier = new SlackVerifier(SlackSecret, TimeSpan.FromSeconds(300));
        var headers = Headers(("X-Slack-Signature", SlackSignature), ("X-Slack-Request-Timestamp", SlackTimestamp));
        Assert.True(verifier.Verify(headers, Bytes(SlackBody), DateTimeOffset.FromUnixTimeSeconds(1531420618 + 60)).Succeeded);
    }

    [Fact]
    public void Slack_fails_when_stale_or_tampered()
    {
        var verifier = new SlackVerifier(SlackSecret, TimeSpan.FromSeconds(300));
        var headers = Headers(("X-Slack-Signature", SlackSignature), ("X-Slack-Request-Timestamp", SlackTimestamp));
        Assert.False(verifier.Verify(headers, Bytes(SlackBody), DateTimeOffset.FromUnixTimeSeconds(1531420618 + 301)).Succeeded);
        Assert.False(verifier.Verify(headers, Bytes(SlackBody + "x"), DateTimeOffset.FromUnixTimeSeconds(1531420618)).Succeeded);
        Assert.False(new SlackVerifier("wrong", TimeSpan.FromSeconds(300)).Verify(headers, Bytes(SlackBody), DateTimeOffset.FromUnixTimeSeconds(1531420618)).Succeeded);
    }

    [Fact]
    public void Stripe_header_with_several_signatures_verifies_and_fails_when_stale_or_tampered()
    {
        // Stripe's documented header format: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">[,v1=…][,v0=…].
        const string secret = "whsec_test_secret";
        const string payload = """{"id":"evt_1","object":"event","type":"payment_intent.succeeded"}""";
        var t = Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var good = Convert.ToHexStringLower(HMACSHA256.HashData(Bytes(secret), Bytes($"{t}.{payload}")));
        var header = $"t={t},v1={new string('0', 64)},v1={good},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39";
        var verifier = new StripeVerifier(secret, TimeSpan.FromSeconds(300));
        Assert.True(verifier.Verify(Headers(("Stripe-Signature", header)), Bytes(payload), Now.AddSeconds(299)).Succeeded);
        Assert.False(verifier.Verify(Headers(("Stripe-Signature", header)), Bytes(payload), Now.AddSeconds(301)).Succeeded);
        Assert.False(verifier.Verify(Headers(("Stripe-Signature", header)), Bytes(payload + " "), Now).Succeeded);
        Assert.False(verifier.Verify(Headers(("Stripe-Signature", $"t={t}")), Bytes(payload), Now).Succeeded);
        Assert.False(new StripeVerifier("whsec_other", TimeSpan.FromSeconds(300)).Verify(Headers(("Stripe-Signature", header)), Bytes(payload), Now).Succeeded);
    }

    [Fact]
    public void Sentry_and_Linear_hex_signatures_verify_and_fail_on_a_wrong_secret()
    {
        const string payload = """{"action":"created","data":{}}""";
        var hex = Convert.ToHexStringLower(HMACSHA256.HashData(Bytes("s3"), Bytes(payload)));
        Assert.True(new SentryVerifier("s3").Verify(Headers(("Sentry-Hook-Signature", hex)), Bytes(payload), Now).Succeeded);
        Assert.False(new SentryVerifier("s4").Verify(Headers(("Sentry-Hook-Signature", hex)), Bytes(payload), Now).Succeeded);
        var linear = new LinearVerifier("s3", TimeSpan.FromSeconds(60));
        Assert.True(linear.Verify(Headers(("Linear-Signature", hex)), Bytes(payload), Now).Succeeded);
        Assert.False(linear.Verify(Headers(("Linear-Signature", hex)), Bytes(payload + "\n"), Now).Succeeded);
    }

    [Fact]
    public void Linear_refuses_a_webhookTimestamp_older_than_its_window()
    {
        var linear = new LinearVerifier("s3", TimeSpan.FromSeconds(60));
        var fresh = $$"""{"action":"create","type":"Issue","webhookTimestamp":{{Now.ToUnixTimeMilliseconds() - 30_000}}}""";
        var stale = $$"""{"action":"create","type":"Issue","webhookTimestamp":{{Now.ToUnixTimeMilliseconds() - 61_000}}}""";
        Assert.True(linear.Verify(Headers(("Linear-Signature", Convert.ToHexStringLower(HMACSHA256.HashData(Bytes("s3"), Bytes(fresh))))), Bytes(fresh), Now).Succeeded);
        Assert.False(linear.Verify(Headers(("Linear-Signature", Convert.ToHexStringLower(HMACSHA256.HashData(Bytes("s3"), Bytes(stale))))), Bytes(stale), Now).Succeeded);
    }

    [Fact]
    public void Datadog_shared_secret_header_must_match_exactly()
    {
        Assert.True(new DatadogVerifier("dd-secret").Verify(Headers(("X-Loopy-Webhook-Secret", "dd-secret")), Bytes("{}"), Now).Succeeded);
        Assert.False(new DatadogVerifier("dd-secret").Verify(Headers(("X-Loopy-Webhook-Secret", "dd-secreT")), Bytes("{}"), Now).Succeeded);
        Assert.False(new DatadogVerifier("dd-secret").Verify(Headers(), Bytes("{}"), Now).Succeeded);
    }

    [Fact]
    public void Generic_hmac_reads_its_header_prefix_and_encoding()
    {
        const string payload = """{"action":"opened"}""";
        var mac = HMACSHA256.HashData(Bytes("k"), Bytes(payload));
        var hex = new HmacSha256Verifier("k", "X-Incident-Signature", "sha256=", "hex");
        Assert.True(hex.Verify(Headers(("X-Incident-Signature", "sha256=" + Convert.ToHexString(mac))), Bytes(payload), Now).Succeeded);
        Assert.False(hex.Verify(Headers(("X-Incident-Signature", Convert.ToHexStringLower(mac))), Bytes(payload), Now).Succeeded);
        var base64 = new HmacSha256Verifier("k", "X-Sig", string.Empty, "base64");
        Assert.True(base64.Verify(Headers(("X-Sig", Convert.ToBase64String(mac))), Bytes(payload), Now).Succeeded);
        Assert.False(base64.Verify(Headers(("X-Sig", Convert.ToBase64String(mac))), Bytes(payload + " "), Now).Succeeded);
    }

    [Fact]
    public void The_factory_knows_every_scheme_and_refuses_an_unknown_one()
    {
        var verify = System.Text.Json.JsonDocument.Parse("""{"scheme":"hmac-sha256","header":"X-Sig"}""").RootElement;
        foreach (var scheme in VerifierFactory.Schemes)
        {
            Assert.Equal(scheme == "standard-webhooks" ? "standard-webhooks" : scheme, VerifierFactory.Create(scheme, "whsec_" + Convert.ToBase64String(Bytes("k")), verify).Scheme);
        }

        Assert.Throws<InvalidOperationException>(() => VerifierFactory.Create("md5", "k", null));
        Assert.Throws<InvalidOperationException>(() => VerifierFactory.Create("hmac-sha256", "k", null));
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static HeaderDictionary Headers(params (string Name, string Value)[] headers)
    {
        var dictionary = new HeaderDictionary();
        foreach (var (name, value) in headers)
        {
            dictionary[name] = value;
        }

        return dictionary;
    }
}
