using Loopy.SensorHost.Configuration;
using Microsoft.Extensions.Configuration;

namespace Loopy.SensorHost.Tests;

/// <summary>Env files by AUTHORING.md §1, and which source wins.</summary>
public sealed class EnvFileTests
{
    [Fact]
    public void Parses_by_the_documented_rules()
    {
        var values = EnvFile.Parse("# comment\r\n\n  A = 1 \nB=\"two = 2\"\nC='3'\nnot a pair\nD=\"unbalanced\n=novalue\nE=\n");
        Assert.Equal("1", values["A"]);
        Assert.Equal("two = 2", values["B"]);
        Assert.Equal("3", values["C"]);
        Assert.Equal("\"unbalanced", values["D"]);
        Assert.Equal(string.Empty, values["E"]);
        Assert.Equal(5, values.Count);
    }

    [Fact]
    public void The_environment_wins_then_sensors_env_then_loopy_env()
    {
        using var project = new TestProject("{}");
        project.Write("loopy.env", "X=loopy\nY=loopy\nZ=loopy\n");
        project.Write("sensors/.env", "X=sensors\nY=sensors\n");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["X"] = "environment" }).Build();
        var secrets = new SensorSecrets(configuration, project.Root);
        Assert.Equal("environment", secrets.Get("X"));
        Assert.Equal("sensors", secrets.Get("Y"));
        Assert.Equal("loopy", secrets.Get("Z"));
        Assert.Null(secrets.Get("MISSING"));
    }
}
