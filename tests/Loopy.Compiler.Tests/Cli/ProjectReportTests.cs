using Loopy.Cli.Output;
using Loopy.Compiler.Tests.Manifest;
using Loopy.Contracts.Manifest;
using Spectre.Console;

namespace Loopy.Compiler.Tests.Cli;

public sealed class ProjectReportTests
{
    [Fact]
    public void The_rich_report_draws_each_workflow_and_the_wiring_table()
    {
        var manifest = ManifestLoader.Load(ExampleBaselineTests.CompileExample("incident-triage").ManifestJson!);
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
        });
        ProjectReport.RenderRich(console, manifest);
        var text = writer.ToString();
        Assert.Contains("triage", text, StringComparison.Ordinal);
        Assert.Contains("assess  (emits Escalation)", text, StringComparison.Ordinal);
        Assert.Contains("incident_webhook", text, StringComparison.Ordinal);
        Assert.Contains("escalate/page", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_plain_report_lists_steps_in_run_order()
    {
        var manifest = ManifestLoader.Load(ExampleBaselineTests.CompileExample("incident-triage").ManifestJson!);
        var lines = ProjectReport.RenderPlain(manifest).Split('\n');
        var triage = Array.IndexOf(lines, "workflow triage");
        Assert.Equal(["  intake  [on Incident] -> deploys, logs", "  deploys -> assess", "  logs -> assess", "  assess  (emits Escalation)"], lines[(triage + 1)..(triage + 5)]);
    }
}
