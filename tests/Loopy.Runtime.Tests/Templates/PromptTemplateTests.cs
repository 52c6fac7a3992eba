using System.Text.Json;
using Loopy.Runtime.Templates;

namespace Loopy.Runtime.Tests.Templates;

public sealed class PromptTemplateTests
{
    private static readonly Dictionary<string, JsonElement> Producers = new()
    {
        ["event"] = JsonDocument.Parse("""{"service": "checkout", "count": 3, "ratio": 0.5, "ok": true, "none": null, "tags": ["a", "b"], "meta": {"k": "v"}}""").RootElement,
        ["scan-deps"] = JsonDocument.Parse("""{"summary": "uses {{ event.service }} literally"}""").RootElement,
    };

    [Fact]
    public void Renders_values_as_AUTHORING_8_3_says()
    {
        var text = PromptTemplate.Render("{{ event.service }}|{{event.count}}|{{ event.ratio }}|{{ event.ok }}|{{ event.none }}|{{ event.tags }}|{{ event.meta }}", Producers);

        Assert.Equal("checkout|3|0.5|true||[\"a\",\"b\"]|{\"k\":\"v\"}", text);
    }

    [Fact]
    public void Renders_in_one_pass_so_inserted_text_is_never_rescanned_and_hyphenated_producers_resolve()
    {
        var text = PromptTemplate.Render("Summary: {{ scan-deps.summary }}.", Producers);

        Assert.Equal("Summary: uses {{ event.service }} literally.", text);
    }

    [Fact]
    public void An_unknown_field_is_an_error_naming_the_reference_never_an_empty_string()
    {
        var error = Assert.Throws<TemplateException>(() => PromptTemplate.Render("Look at {{ event.missing }}", Producers));

        Assert.Equal("template reference '{{ event.missing }}' cannot be resolved: 'event' has no field 'missing'", error.Message);
    }

    [Fact]
    public void An_unknown_producer_is_an_error()
    {
        var error = Assert.Throws<TemplateException>(() => PromptTemplate.Render("{{ fix.pr_url }}", Producers));

        Assert.Contains("'fix' is not the event or a completed upstream step", error.Message, StringComparison.Ordinal);
    }
}
