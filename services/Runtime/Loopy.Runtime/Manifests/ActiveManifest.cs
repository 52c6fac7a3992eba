using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Loopy.Contracts.Manifest;
using NJsonSchema;

namespace Loopy.Runtime.Manifests;

/// <summary>A loaded manifest version with its content hash and the JSON Schemas built from it (once, lazily).</summary>
public sealed class ActiveManifest
{
    private readonly ConcurrentDictionary<string, Task<JsonSchema>> _schemas = new(StringComparer.Ordinal);

    private ActiveManifest(LoopyManifest manifest, string hash, string json)
    {
        Manifest = manifest;
        Hash = hash;
        Json = json;
    }

    public LoopyManifest Manifest { get; }

    /// <summary><c>sha256:&lt;hex&gt;</c> of the canonical manifest without <c>compiled_at</c> and <c>loopy_version</c> (AUTHORING.md §7).</summary>
    public string Hash { get; }

    public string Json { get; }

    public static ActiveManifest Parse(string json)
    {
        var manifest = ManifestLoader.Load(json);
        var node = JsonNode.Parse(json) as JsonObject ?? throw new ManifestFormatException("manifest must be a JSON object");
        node.Remove("compiled_at");
        node.Remove("loopy_version");
        var hash = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson.Serialize(node))));
        return new ActiveManifest(manifest, hash, json);
    }

    public ManifestWorkflow? Workflow(string name) => Manifest.Workflows.GetValueOrDefault(name);

    /// <summary>The schema of a step's <c>output</c> object: every key required, extra keys allowed, <c>format</c> not asserted.</summary>
    public Task<JsonSchema> OutputSchemaAsync(ManifestStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return _schemas.GetOrAdd("output:" + step.Id, _ => BuildAsync(step.Output.Select(o => (o.Key, JsonNode.Parse(o.Value.GetRawText())))));
    }

    /// <summary>The schema of an event's fields (its contract), <c>format</c> not asserted; null for an unknown event.</summary>
    public Task<JsonSchema>? EventSchemaAsync(string eventName)
    {
        if (!Manifest.Registry.Events.TryGetValue(eventName, out var ev))
        {
            return null;
        }

        return _schemas.GetOrAdd("event:" + eventName, _ => BuildAsync(ev.Fields.Select(f => (f.Key, JsonNode.Parse(f.Value.GetRawText())))));
    }

    private static Task<JsonSchema> BuildAsync(IEnumerable<(string Key, JsonNode? Schema)> properties)
    {
        var props = new JsonObject();
        var required = new JsonArray();
        foreach (var (key, schema) in properties)
        {
            var clone = schema?.DeepClone() ?? new JsonObject();
            StripFormats(clone);
            props[key] = clone;
            required.Add(key);
        }

        var document = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["type"] = "object",
            ["properties"] = props,
            ["required"] = required,
            ["additionalProperties"] = true,
        };
        return JsonSchema.FromJsonAsync(document.ToJsonString());
    }

    /// <summary>For step outputs and emits <c>format</c> is an annotation (AUTHORING.md §8.5): remove it everywhere.</summary>
    private static void StripFormats(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                obj.Remove("format");
                foreach (var (_, child) in obj.ToList())
                {
                    if (child is not null)
                    {
                        StripFormats(child);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null)
                    {
                        StripFormats(child);
                    }
                }

                break;
        }
    }
}
