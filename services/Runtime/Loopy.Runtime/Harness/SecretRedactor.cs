namespace Loopy.Runtime.Harness;

/// <summary>
/// Replaces secret values with <c>***</c> in whatever leaves an attempt (the reply, error messages, so history and
/// logs). The secrets are the values of a sandbox's env files and <c>env:</c> forwards (decision: every such value
/// of at least <see cref="MinLength"/> characters, except <c>PATH</c> and <c>HOME</c>, which are not secret and
/// would blank out paths).
/// </summary>
public sealed class SecretRedactor
{
    public const int MinLength = 4;
    public const string Mask = "***";

    private static readonly HashSet<string> NotSecret = new(StringComparer.Ordinal) { "PATH", "HOME" };
    private readonly string[] _values;

    public SecretRedactor(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);

        // Longest first, so that a secret containing another is masked whole.
        _values = [.. values.Where(v => v.Length >= MinLength).Distinct(StringComparer.Ordinal).OrderByDescending(v => v.Length)];
    }

    public static SecretRedactor None { get; } = new([]);

    public static SecretRedactor For(IReadOnlyDictionary<string, string> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        return new(variables.Where(v => !NotSecret.Contains(v.Key)).Select(v => v.Value));
    }

    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var value in _values)
        {
            text = text.Replace(value, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
