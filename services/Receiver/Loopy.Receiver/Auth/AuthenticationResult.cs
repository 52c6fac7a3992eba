namespace Loopy.Receiver.Auth;

/// <summary>The producer a request was authenticated as, or why it was not.</summary>
public sealed record AuthenticationResult(ProducerOptions? Producer, string? WebhookId, string? ErrorCode, string? Error)
{
    public bool Succeeded => Producer is not null;

    public static AuthenticationResult Success(ProducerOptions producer, string? webhookId) => new(producer, webhookId, null, null);

    public static AuthenticationResult Fail(string code, string error) => new(null, null, code, error);
}
