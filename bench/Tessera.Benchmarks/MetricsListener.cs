using System.Diagnostics.Metrics;
using Tessera.Core.Verification;

namespace Tessera.Benchmarks;

/// <summary>Listens to Tessera's instruments and aggregates them, as an exporter would.</summary>
internal static class MetricsListener
{
    private static long _sink;

    public static MeterListener Start()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == VerificationMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _sink, value));
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => Interlocked.Add(ref _sink, (long)value));
        listener.Start();
        return listener;
    }
}
