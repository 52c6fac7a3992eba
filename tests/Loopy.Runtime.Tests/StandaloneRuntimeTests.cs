namespace Loopy.Runtime.Tests;

/// <summary>The Runtime on SQLite under a temp data folder and the in-process bus (the standalone wiring).</summary>
public sealed class StandaloneRuntimeTests : RuntimeComplianceTests
{
    protected override Task<RuntimeFixture> CreateFixtureAsync(string projectRoot, IDictionary<string, string?>? settings = null) =>
        RuntimeFixture.StartAsync(projectRoot, null, null, settings, Ct);
}
