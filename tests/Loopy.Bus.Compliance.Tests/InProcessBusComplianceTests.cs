namespace Loopy.Bus.Compliance.Tests;

public sealed class InProcessBusComplianceTests : BusComplianceTests
{
    protected override BusTransport Transport => BusTransport.InProcess;

    protected override string? ConnectionString => null;

    protected override string? ServerName => null;
}
