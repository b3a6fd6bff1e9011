namespace Tessera.Core.Leaks;

/// <summary>The wire and configuration spellings of <see cref="LeakLabel"/> and <see cref="LeakAction"/>.</summary>
public static class LeakNames
{
    public const string TruePositive = "true_positive";
    public const string FalsePositive = "false_positive";

    public static string Of(LeakLabel label) => label == LeakLabel.TruePositive ? TruePositive : FalsePositive;

    /// <summary>"cancel" or "report", case-insensitively.</summary>
    public static bool TryParseAction(string? value, out LeakAction action)
    {
        action = LeakAction.Cancel;
        if (string.Equals(value, "cancel", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        action = LeakAction.Report;
        return string.Equals(value, "report", StringComparison.OrdinalIgnoreCase);
    }

    public static string Of(LeakAction action) => action == LeakAction.Cancel ? "cancel" : "report";
}
