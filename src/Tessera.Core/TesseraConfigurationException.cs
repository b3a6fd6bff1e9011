namespace Tessera.Core;

/// <summary>
/// Tessera cannot start as configured (a bad setting, a schema newer than this build): the message says
/// what to fix and is shown to the operator without a stack trace.
/// </summary>
public sealed class TesseraConfigurationException(string message) : Exception(message);
