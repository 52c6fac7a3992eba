using System.Globalization;
using System.Text.RegularExpressions;

namespace Loopy.Bus.RabbitMq;

/// <summary>
/// The handler failed on the last allowed attempt (counting the broker's redeliveries): not retried,
/// MassTransit moves the message to the <c>_error</c> queue with this message as the fault reason.
/// </summary>
internal sealed partial class AttemptsExhaustedException : Exception
{
    public AttemptsExhaustedException()
    {
    }

    public AttemptsExhaustedException(string message)
        : base(message)
    {
    }

    public AttemptsExhaustedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AttemptsExhaustedException(int attempts, Exception innerException)
        : base(string.Create(CultureInfo.InvariantCulture, $"Gave up after {attempts} attempt(s): {BusJson.DescribeFailure(innerException)}"), innerException)
    {
    }

    /// <summary>Reads the attempt count back from a fault message written by this exception.</summary>
    public static int? ParseAttempts(string? faultMessage) =>
        faultMessage is not null && AttemptsPattern().Match(faultMessage) is { Success: true } match
            ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : null;

    [GeneratedRegex(@"^Gave up after (\d+) attempt\(s\)")]
    private static partial Regex AttemptsPattern();
}
