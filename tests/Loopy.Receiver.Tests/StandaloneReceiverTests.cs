namespace Loopy.Receiver.Tests;

/// <summary>The Receiver on SQLite under a temp <c>.loopy/</c> and the in-process bus (the standalone wiring).</summary>
public sealed class StandaloneReceiverTests : ReceiverComplianceTests
{
    protected override ReceiverFixture CreateFixture(IDictionary<string, string?>? settings = null) => new(null, null, settings);
}
