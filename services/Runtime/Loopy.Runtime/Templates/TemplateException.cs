namespace Loopy.Runtime.Templates;

/// <summary>A template reference that cannot be resolved at run time; fails the step (terminally: a retry renders the same).</summary>
public sealed class TemplateException : Exception
{
    public TemplateException()
    {
    }

    public TemplateException(string message)
        : base(message)
    {
    }

    public TemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
