using System.Text.Json;
using System.Text.Json.Nodes;

namespace Loopy.SensorHost.Mapping;

/// <summary>
/// A YAML sensor's <c>when</c> and <c>map</c> (AUTHORING.md §4.2): every <c>when</c> path must equal its value or
/// the delivery yields nothing; each <c>map</c> field is a path (<c>$.a.b</c>, <c>$.items[0].id</c>), a literal, or
/// <c>$$…</c> for a literal starting with <c>$</c>; a missing path leaves the field out.
/// </summary>
public sealed class DeclarativeMapper : IWebhookMapper
{
    private readonly string _emits;
    private readonly IReadOnlyList<KeyValuePair<string, JsonElement>> _map;
    private readonly IReadOnlyList<KeyValuePair<string, JsonElement>> _when;

    public DeclarativeMapper(string emits, JsonElement? map, JsonElement? when)
    {
        _emits = emits;
        _map = Entries(map);
        _when = Entries(when);
    }

    public Task<IReadOnlyList<CandidateEvent>> MapAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return Task.FromResult(Map(delivery.Body));
    }

    /// <summary>The events <paramref name="body"/> yields: none when a <c>when</c> condition fails, else one.</summary>
    public IReadOnlyList<CandidateEvent> Map(JsonElement? body)
    {
        foreach (var (path, expected) in _when)
        {
            if (!JsonPath.TryResolve(body, path, out var actual) || !JsonElement.DeepEquals(actual, Literal(expected)))
            {
                return [];
            }
        }

        var fields = new JsonObject();
        foreach (var (field, source) in _map)
        {
            if (source.ValueKind == JsonValueKind.String && JsonPath.IsPath(source.GetString()!))
            {
                if (JsonPath.TryResolve(body, source.GetString()!, out var value))
                {
                    fields[field] = JsonNode.Parse(value.GetRawText());
                }
            }
            else
            {
                fields[field] = JsonNode.Parse(Literal(source).GetRawText());
            }
        }

        return [new CandidateEvent(_emits, fields)];
    }

    private static JsonElement Literal(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString()!.StartsWith("$$", StringComparison.Ordinal)
            ? JsonSerializer.SerializeToElement(value.GetString()![1..])
            : value;

    private static List<KeyValuePair<string, JsonElement>> Entries(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.Object } obj
            ? obj.EnumerateObject().Select(p => new KeyValuePair<string, JsonElement>(p.Name, p.Value.Clone())).ToList()
            : [];
}
