using System.Text;

namespace Loopy.Runtime.Harness;

/// <summary>
/// Skills delivery (AUTHORING.md §9.3): each of the agent's skills (a folder under the project's <c>skills/</c>) is
/// copied to <c>.loopy/skills/&lt;skill&gt;/</c> in the working directory and, for <c>claude-code</c>, to
/// <c>.claude/skills/&lt;skill, / replaced by -&gt;/</c>, where the CLI finds project skills itself; the prompt
/// gains a section naming each skill, its description and its <c>SKILL.md</c>. Only regular files are copied
/// (a symbolic link in a skill folder is skipped, so it cannot carry a file from outside the project in).
/// </summary>
public static class Skills
{
    public static void Deliver(string projectRoot, IReadOnlyList<string> skills, string workingDirectory, bool claudeCode)
    {
        ArgumentNullException.ThrowIfNull(skills);
        foreach (var skill in skills)
        {
            var source = Source(projectRoot, skill);
            Copy(source, Path.Combine(workingDirectory, ".loopy", "skills", skill));
            if (claudeCode)
            {
                Copy(source, Path.Combine(workingDirectory, ".claude", "skills", ClaudeName(skill)));
            }
        }
    }

    /// <summary>The folder name Claude Code sees: nesting flattened with <c>-</c>.</summary>
    public static string ClaudeName(string skill)
    {
        ArgumentNullException.ThrowIfNull(skill);
        return skill.Replace('/', '-');
    }

    /// <summary>The prompt's skills section (two newlines first), or empty when the agent has none.</summary>
    public static string Section(string projectRoot, IReadOnlyList<string> skills)
    {
        ArgumentNullException.ThrowIfNull(skills);
        if (skills.Count == 0)
        {
            return string.Empty;
        }

        var text = new StringBuilder("\n\nSkills are available in the working directory; read a skill's SKILL.md before you use it:");
        foreach (var skill in skills)
        {
            var description = Description(Path.Combine(Source(projectRoot, skill), "SKILL.md"));
            text.Append("\n- ").Append(skill);
            if (description.Length > 0)
            {
                text.Append(": ").Append(description);
            }

            text.Append(" (.loopy/skills/").Append(skill).Append("/SKILL.md)");
        }

        return text.ToString();
    }

    /// <summary>The <c>description</c> of the SKILL.md frontmatter, else its first non-empty line, else empty.</summary>
    public static string Description(string skillFile)
    {
        if (!File.Exists(skillFile))
        {
            return string.Empty;
        }

        var lines = File.ReadAllLines(skillFile);
        var start = 0;
        if (lines.Length > 0 && lines[0].Trim() == "---")
        {
            var end = Array.FindIndex(lines, 1, l => l.Trim() == "---");
            if (end > 0)
            {
                foreach (var line in lines[1..end])
                {
                    var trimmed = line.Trim();
                    if (trimmed.StartsWith("description:", StringComparison.Ordinal))
                    {
                        return Unquote(trimmed["description:".Length..].Trim());
                    }
                }

                start = end + 1;
            }
        }

        return lines.Skip(start).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? string.Empty;
    }

    private static string Source(string projectRoot, string skill)
    {
        var root = Path.GetFullPath(Path.Combine(projectRoot, "skills"));
        var source = Path.GetFullPath(Path.Combine(root, skill));
        if (!source.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !Directory.Exists(source))
        {
            throw new AttemptFailedException($"skill '{skill}' is not a folder under skills/", terminal: true);
        }

        return source;
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }

            var target = Path.Combine(to, entry.Name);
            if (entry is DirectoryInfo)
            {
                Copy(entry.FullName, target);
            }
            else
            {
                File.Copy(entry.FullName, target, overwrite: true);
            }
        }
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;
}
