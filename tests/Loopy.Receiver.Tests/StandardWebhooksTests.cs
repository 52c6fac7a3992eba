using System.Text;
using Loopy.Receiver.Auth;

namespace Loopy.Receiver.Tests;

/// <summary>The Standard Webhooks specification's own example verifies; any change to it does not.</summary>
public class StandardWebhooksTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const string Timestamp = "1614265330";
    private const string Signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("{\"test\": 2432232314}");

    [Fact]
    public void The_specification_example_signs_and_verifies()
    {
        Assert.Equal(Signature, StandardWebhooks.Sign(Secret, Id, Timestamp, Payload));
        Assert.True(StandardWebhooks.Verify(Secret, Id, Timestamp, Payload, Signature));
        Assert.True(StandardWebhooks.Verify(Secret, Id, Timestamp, Payload, $"v1,bm9wZQ== {Signature}"));
    }

    [Theory]
    [InlineData("msg_other", Timestamp, "{\"test\": 2432232314}", Signature)]
    [InlineData(Id, "1614265331", "{\"test\": 2432232314}", Signature)]
    [InlineData(Id, Timestamp, "{\"test\": 2432232315}", Signature)]
    [InlineData(Id, Timestamp, "{\"test\": 2432232314}", "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData(Id, Timestamp, "{\"test\": 2432232314}", "v1,not-base64!")]
    public void A_changed_id_timestamp_body_or_signature_does_not_verify(string id, string timestamp, string body, string signature)
    {
        Assert.False(StandardWebhooks.Verify(Secret, id, timestamp, Encoding.UTF8.GetBytes(body), signature));
    }
}
