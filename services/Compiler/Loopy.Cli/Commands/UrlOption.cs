using System.CommandLine;

namespace Loopy.Cli.Commands;

/// <summary>A <c>--url</c> option that accepts only an absolute http(s) URL (System.CommandLine has no Uri parser).</summary>
internal static class UrlOption
{
    public static Option<Uri?> Create(string description, Uri? defaultValue = null)
    {
        var option = new Option<Uri?>("--url")
        {
            Description = description,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                {
                    return uri;
                }

                result.AddError($"--url must be an absolute http(s) URL, not '{text}'.");
                return null;
            },
        };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }

        return option;
    }
}
