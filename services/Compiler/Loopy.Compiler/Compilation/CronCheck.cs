using Cronos;

namespace Loopy.Compiler.Compilation;

/// <summary>Cron expressions (5 fields, Cronos) and IANA zones.</summary>
internal static class CronCheck
{
    public static bool IsValid(string expression)
    {
        try
        {
            _ = CronExpression.Parse(expression, CronFormat.Standard);
            return true;
        }
        catch (CronFormatException)
        {
            return false;
        }
    }

    public static bool IsKnownZone(string zone)
    {
        if (zone.Length == 0 || zone.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            _ = TimeZoneInfo.FindSystemTimeZoneById(zone);
            return true;
        }
        catch (TimeZoneNotFoundException)
        {
            return false;
        }
        catch (InvalidTimeZoneException)
        {
            return false;
        }
    }
}
