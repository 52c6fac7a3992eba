using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopy.Contracts.Manifest;
using NJsonSchema;

namespace Loopy.Receiver.Validation;

/// <summary>
/// The JSON Schema of every event in a compiled manifest (<c>registry.events</c>): an object whose
/// declared fields are all required, extra fields allowed. Built once per manifest.
/// </summary>
public sealed class EventContracts
{
    private readonly FrozenDictionary<string, JsonSchema> _schemas;

    private EventContracts(string manifestHash, FrozenDictionary<string, JsonSchema> schemas, IReadOnlyList<EventRoute> routes)
    {
        ManifestHash = manifestHash;
        _schemas = schemas;
        Routes = routes;
    }

    /// <summary>Which workflow each event starts: the bus topology to provision before publishing under this version.</summary>
    public IReadOnlyList<EventRoute> Routes { get; }

    /// <summary>A content hash of the manifest the contracts came from (recorded on each published event).</summary>
    public string ManifestHash { get; }

    public IEnumerable<string> EventNames => _schemas.Keys;

    public static async Task<EventContracts> LoadAsync(string manifestPath, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(manifestPath, cancellationToken);
        return await FromManifestAsync(bytes, cancellationToken);
    }

    public static async Task<EventContracts> FromManifestAsync(byte[] manifestJson, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifestJson);
        var root = JsonNode.Parse(manifestJson) as JsonObject
            ?? throw new InvalidDataException("manifest.json is not a JSON object");
        var version = root["schema_version"]?.GetValue<string>();
        if (version != "2")
        {
            throw new InvalidDataException($"manifest schema_version '{version}' is not supported; this Receiver reads schema_version '2'");
        }

        var schemas = new Dictionary<string, JsonSchema>(StringComparer.Ordinal);
        if (root["registry"]?["events"] is JsonObject events)
        {
            foreach (var (name, definition) in events)
            {
                var fields = definition?["fields"] as JsonObject ?? [];
                schemas[name] = await JsonSchema.FromJsonAsync(ContractFor(fields).ToJsonString(), cancellationToken);
            }
        }

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(manifestJson));
        IReadOnlyList<EventRoute> routes;
        try
        {
            routes = EventRoute.Of(ManifestLoader.Load(System.Text.Encoding.UTF8.GetString(manifestJson)));
        }
        catch (ManifestFormatException ex)
        {
            throw new InvalidDataException(ex.Message, ex);
        }

        return new EventContracts(hash, schemas.ToFrozenDictionary(StringComparer.Ordinal), routes);
    }

    public bool Knows(string eventName) => _schemas.ContainsKey(eventName);

    /// <summary>Validates <paramref name="fields"/> against the event's contract; an empty list means valid.</summary>
    public IReadOnlyList<FieldError> Validate(string eventName, JsonElement fields)
    {
        if (!_schemas.TryGetValue(eventName, out var schema))
        {
            return [new FieldError(ReceiverErrorCodes.UnknownEvent, "name", $"'{eventName}' is not an event of the active manifest")];
        }

        if (fields.ValueKind != JsonValueKind.Object)
        {
            return [new FieldError(ReceiverErrorCodes.InvalidEnvelope, "fields", "fields must be a JSON object")];
        }

        var errors = schema.Validate(fields.GetRawText());
        return errors
            .Select(e => new FieldError(CodeFor(e.Kind), FieldPath(e), Describe(e)))
            .OrderBy(e => e.Path, StringComparer.Ordinal)
            .ThenBy(e => e.Code, StringComparer.Ordinal)
            .ToList();
    }

    private static JsonObject ContractFor(JsonObject fields)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var (field, schema) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            properties[field] = schema?.DeepClone() ?? new JsonObject();
            required.Add(field);
        }

        return new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = required,
            ["additionalProperties"] = true,
        };
    }

    private static string FieldPath(NJsonSchema.Validation.ValidationError error)
    {
        var path = error.Path?.TrimStart('#', '/') ?? string.Empty;
        if (error.Kind == NJsonSchema.Validation.ValidationErrorKind.PropertyRequired && error.Property is { Length: > 0 } missing)
        {
            path = string.IsNullOrEmpty(path) || path == missing ? missing : $"{path}.{missing}";
        }

        return "fields" + (string.IsNullOrEmpty(path) ? string.Empty : "." + path.Replace('/', '.'));
    }

    private static string CodeFor(NJsonSchema.Validation.ValidationErrorKind kind) => kind switch
    {
        NJsonSchema.Validation.ValidationErrorKind.PropertyRequired => ReceiverErrorCodes.MissingField,
        NJsonSchema.Validation.ValidationErrorKind.NotInEnumeration => ReceiverErrorCodes.NotInEnum,
        NJsonSchema.Validation.ValidationErrorKind.UriExpected
            or NJsonSchema.Validation.ValidationErrorKind.DateTimeExpected
            or NJsonSchema.Validation.ValidationErrorKind.DateExpected
            or NJsonSchema.Validation.ValidationErrorKind.EmailExpected
            or NJsonSchema.Validation.ValidationErrorKind.GuidExpected
            or NJsonSchema.Validation.ValidationErrorKind.PatternMismatch => ReceiverErrorCodes.InvalidFormat,
        NJsonSchema.Validation.ValidationErrorKind.StringExpected
            or NJsonSchema.Validation.ValidationErrorKind.IntegerExpected
            or NJsonSchema.Validation.ValidationErrorKind.NumberExpected
            or NJsonSchema.Validation.ValidationErrorKind.BooleanExpected
            or NJsonSchema.Validation.ValidationErrorKind.ObjectExpected
            or NJsonSchema.Validation.ValidationErrorKind.ArrayExpected
            or NJsonSchema.Validation.ValidationErrorKind.NullExpected => ReceiverErrorCodes.WrongType,
        _ => ReceiverErrorCodes.InvalidField,
    };

    private static string Describe(NJsonSchema.Validation.ValidationError error) => error.Kind switch
    {
        NJsonSchema.Validation.ValidationErrorKind.PropertyRequired => "required field is missing",
        NJsonSchema.Validation.ValidationErrorKind.NotInEnumeration => "value is not one of the allowed values",
        NJsonSchema.Validation.ValidationErrorKind.UriExpected => "value is not an absolute URI",
        NJsonSchema.Validation.ValidationErrorKind.StringExpected => "a string was expected",
        NJsonSchema.Validation.ValidationErrorKind.IntegerExpected => "an integer was expected",
        NJsonSchema.Validation.ValidationErrorKind.NumberExpected => "a number was expected",
        NJsonSchema.Validation.ValidationErrorKind.BooleanExpected => "a boolean was expected",
        _ => $"value is invalid ({error.Kind})",
    };
}
