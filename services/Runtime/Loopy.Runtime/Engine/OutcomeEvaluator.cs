using System.Text.Json;
using System.Text.Json.Nodes;
using Loopy.Contracts.Manifest;
using Loopy.Runtime.Harness;
using Loopy.Runtime.Manifests;
using Loopy.Runtime.Replies;
using NJsonSchema.Validation;

namespace Loopy.Runtime.Engine;

/// <summary>
/// Turns an agent's reply into a <see cref="StepOutcome"/> (AUTHORING.md §3.5, §8.5): the output checked
/// against its schema (extra keys dropped), each emit decided by its rule and its payload checked
/// against the event contract. Anything wrong is a transient failure with the validation message.
/// </summary>
public static class OutcomeEvaluator
{
    public static async Task<StepOutcome> EvaluateAsync(ManifestStep step, ActiveManifest manifest, HarnessResult result, int maxReplyChars)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(result);
        var reply = result.Reply.Length > maxReplyChars ? result.Reply[..maxReplyChars] : result.Reply;
        if (step.Output.Count == 0 && step.Emits.Count == 0)
        {
            return new StepOutcome("{}", [], reply, result.CostUsd, result.InputTokens, result.OutputTokens);
        }

        if (!ReplyParser.TryParse(result.Reply, out var parsed))
        {
            throw new AttemptFailedException("the reply holds no JSON object", terminal: false);
        }

        var output = new JsonObject();
        JsonElement outputElement = default;
        if (step.Output.Count > 0)
        {
            if (!parsed.TryGetProperty("output", out outputElement) || outputElement.ValueKind != JsonValueKind.Object)
            {
                throw new AttemptFailedException("the reply has no \"output\" object", terminal: false);
            }

            var schema = await manifest.OutputSchemaAsync(step).ConfigureAwait(false);
            var errors = schema.Validate(outputElement.GetRawText());
            if (errors.Count > 0)
            {
                throw new AttemptFailedException($"output does not match its schema: {Describe(errors)}", terminal: false);
            }

            foreach (var key in step.Output.Keys)
            {
                output[key] = JsonNode.Parse(outputElement.GetProperty(key).GetRawText());
            }
        }

        var emits = new List<EmitDecision>();
        var emitted = parsed.TryGetProperty("emits", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
        foreach (var name in step.Emits)
        {
            var rule = step.EmitWhen.TryGetValue(name, out var r) ? r : default;
            JsonElement? payload = emitted.ValueKind == JsonValueKind.Object && emitted.TryGetProperty(name, out var p) && p.ValueKind != JsonValueKind.Null ? p : null;
            if (rule.ValueKind == JsonValueKind.String && rule.GetString() == "always")
            {
                if (payload is null)
                {
                    throw new AttemptFailedException($"emit '{name}' is required (when: always) but the reply has no emits.{name}", terminal: false);
                }
            }
            else if (rule.ValueKind == JsonValueKind.Object)
            {
                if (!ConditionHolds(rule, outputElement))
                {
                    emits.Add(new EmitDecision(name, null, "condition"));
                    continue;
                }

                if (payload is null)
                {
                    throw new AttemptFailedException($"emit '{name}' is required (its when: condition holds) but the reply has no emits.{name}", terminal: false);
                }
            }
            else if (payload is null)
            {
                emits.Add(new EmitDecision(name, null, "omitted"));
                continue;
            }

            await CheckPayloadAsync(manifest, name, payload!.Value).ConfigureAwait(false);
            emits.Add(new EmitDecision(name, payload.Value.Clone(), null));
        }

        return new StepOutcome(output.ToJsonString(), emits, reply, result.CostUsd, result.InputTokens, result.OutputTokens);
    }

    private static bool ConditionHolds(JsonElement rule, JsonElement output)
    {
        if (output.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var condition in rule.EnumerateObject())
        {
            if (!output.TryGetProperty(condition.Name, out var actual) || !JsonElement.DeepEquals(actual, condition.Value))
            {
                return false;
            }
        }

        return true;
    }

    private static async Task CheckPayloadAsync(ActiveManifest manifest, string name, JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            throw new AttemptFailedException($"emit '{name}' payload must be a JSON object", terminal: false);
        }

        var schemaTask = manifest.EventSchemaAsync(name)
            ?? throw new AttemptFailedException($"emit '{name}' is not an event of the manifest", terminal: true);
        var errors = (await schemaTask.ConfigureAwait(false)).Validate(payload.GetRawText());
        if (errors.Count > 0)
        {
            throw new AttemptFailedException($"emit '{name}' payload does not match its contract: {Describe(errors)}", terminal: false);
        }
    }

    /// <summary>"<c>key: kind</c>" per error, sorted, e.g. <c>error_rate: NumberExpected</c>.</summary>
    public static string Describe(IEnumerable<ValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return string.Join("; ", errors
            .Select(error =>
            {
                var path = error.Path?.TrimStart('#', '/').Replace('/', '.') ?? string.Empty;
                if (error.Kind == ValidationErrorKind.PropertyRequired)
                {
                    return $"{error.Property}: required key is missing";
                }

                return $"{(path.Length > 0 ? path : error.Property)}: {error.Kind}";
            })
            .Order(StringComparer.Ordinal));
    }
}
