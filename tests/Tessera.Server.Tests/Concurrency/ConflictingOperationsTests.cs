using System.Net;
using System.Text.Json;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Concurrency;

/// <summary>
/// Issue #7 §4: many concurrent conflicting operations on one token (cancel, reactivate, renew,
/// reassign, unassign, rename, delete). Every answer must be true of some moment, the versions the
/// answers carry must chain into one serial history in which each change is exactly one operation's
/// doing, and the stored token must be the end of that history: nothing lost, nothing invented.
/// </summary>
public sealed class ConflictingOperationsTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    private const int Runs = 25;
    private const int OperationsPerRun = 16;

    private readonly record struct Facts(string Name, string? WorkloadId, string Status, DateTimeOffset ExpiresAt);

    private sealed record Operation(string Kind, string? Value);

    private sealed record Outcome(Operation Operation, HttpStatusCode Status, string? Code, TokenResponse? Token);

    [Fact]
    public async Task Concurrent_conflicting_operations_on_one_token_are_serializable_truthful_and_lose_nothing()
    {
        var account = await app.NewAccountAsync();
        var workloads = new[] { (await account.CreateWorkloadAsync("llama-3")).Id, (await account.CreateWorkloadAsync("mistral")).Id };
        var anomalies = new List<string>();
        int changes = 0, noOps = 0, refusals = 0;

        for (var run = 0; run < Runs; run++)
        {
            var created = await account.CreateTokenAsync("start", workloads[0]);
            app.Time.Advance(TimeSpan.FromMinutes(1)); // so a renewal moves expiresAt
            var renewedUntil = app.Time.GetUtcNow() + TimeSpan.FromDays(30);
            var operations = Plan(new Random(run), run, workloads);

            var outcomes = await Task.WhenAll(operations.Select(op => Task.Run(() => SendAsync(account.Client, created.Id, op))));

            var final = await account.Client.GetAsync($"/v1/tokens/{created.Id}");
            var (history, problems) = Check(created, outcomes, renewedUntil);
            problems.AddRange(await CheckFinalAsync(final, outcomes, history));
            anomalies.AddRange(problems.Select(p => $"run {run}: {p}"));
            changes += history.Count - 1;
            noOps += outcomes.Count(o => o.Token is not null) - (history.Count - 1);
            refusals += outcomes.Count(o => o.Status is not (HttpStatusCode.OK or HttpStatusCode.NoContent));
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"figure: concurrency: {Runs} runs of {OperationsPerRun} concurrent conflicting operations on one token; {changes} changes, " +
            $"{noOps} no-op answers, {refusals} refusals checked; {anomalies.Count} anomalies");
        Assert.True(anomalies.Count == 0, string.Join("\n", anomalies));
    }

    private static List<Operation> Plan(Random random, int run, string[] workloads)
    {
        var operations = new List<Operation>();
        for (var i = 0; i < OperationsPerRun; i++)
        {
            operations.Add(random.Next(7) switch
            {
                0 => new Operation("cancel", null),
                1 => new Operation("reactivate", null),
                2 => new Operation("renew", null),
                3 => new Operation("assign", workloads[random.Next(2)]),
                4 => new Operation("unassign", null),
                5 => new Operation("rename", $"run {run} op {i}"),
                _ => new Operation("rename", $"run {run} op {i} bis"),
            });
        }
        // Every other run also races one or two deletions against everything else.
        if (run % 2 == 1)
        {
            operations[random.Next(OperationsPerRun)] = new Operation("delete", null);
            operations[random.Next(OperationsPerRun)] = new Operation("delete", null);
        }
        return operations;
    }

    private static async Task<Outcome> SendAsync(HttpClient client, string id, Operation op)
    {
        var response = op.Kind switch
        {
            "cancel" => await client.PatchJsonAsync($"/v1/tokens/{id}", new { status = "cancelled" }),
            "reactivate" => await client.PatchJsonAsync($"/v1/tokens/{id}", new { status = "active" }),
            "renew" => await client.PostAsync($"/v1/tokens/{id}/renew", null),
            "assign" => await client.PatchJsonAsync($"/v1/tokens/{id}", new { workloadId = op.Value }),
            "unassign" => await client.PatchJsonAsync($"/v1/tokens/{id}", new { workloadId = (string?)null }),
            "rename" => await client.PatchJsonAsync($"/v1/tokens/{id}", new { name = op.Value }),
            _ => await client.DeleteAsync($"/v1/tokens/{id}"),
        };
        var text = await response.Content.ReadAsStringAsync();
        return response.StatusCode switch
        {
            HttpStatusCode.OK => new Outcome(op, response.StatusCode, null, JsonSerializer.Deserialize<TokenResponse>(text, HttpExtensions.Json)),
            HttpStatusCode.NoContent => new Outcome(op, response.StatusCode, null, null),
            _ => new Outcome(op, response.StatusCode, JsonSerializer.Deserialize<ProblemResponse>(text, HttpExtensions.Json)?.Code, null),
        };
    }

    /// <summary>What <paramref name="op"/> makes of <paramref name="before"/>; null when it must be refused there.</summary>
    private static Facts? Apply(Operation op, Facts before, DateTimeOffset renewedUntil) => op.Kind switch
    {
        "cancel" => before with { Status = "cancelled" },
        "reactivate" => before with { Status = "active" },
        "renew" => before.Status == "cancelled" ? null : before with { ExpiresAt = renewedUntil },
        "assign" => before with { WorkloadId = op.Value },
        "unassign" => before with { WorkloadId = null },
        "rename" => before with { Name = op.Value! },
        _ => null,
    };

    /// <summary>A renewal is a new version even when the expiry it computes is the one already set (the clock stands still here).</summary>
    private static bool AlwaysChanges(Operation op) => op.Kind == "renew";

    private static bool IsNoOp(Operation op, Facts state, DateTimeOffset renewedUntil) => !AlwaysChanges(op) && Apply(op, state, renewedUntil) == state;

    private static Facts FactsOf(TokenResponse t) => new(t.Name, t.WorkloadId, t.Status, t.ExpiresAt);

    /// <summary>Rebuilds the serial history from the answers' versions and checks each answer against it.</summary>
    private static (Dictionary<long, Facts> History, List<string> Problems) Check(CreatedTokenResponse created, Outcome[] outcomes, DateTimeOffset renewedUntil)
    {
        var problems = new List<string>();
        var history = new Dictionary<long, Facts> { [created.Version] = FactsOf(created) };
        var answered = outcomes.Where(o => o.Token is not null).GroupBy(o => o.Token!.Version).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (version, group) in answered)
        {
            if (group.Select(o => o.Token! with { State = "" }).Distinct().Count() > 1)
            {
                problems.Add($"version {version} was answered with different contents");
            }
            history.TryAdd(version, FactsOf(group[0].Token!));
        }
        var newest = history.Keys.Max();
        for (var version = created.Version; version <= newest; version++)
        {
            if (!history.TryGetValue(version, out var state))
            {
                problems.Add($"version {version} exists but no answer carried it: a change nobody was told about");
                continue;
            }
            var group = answered.GetValueOrDefault(version) ?? [];
            if (version == created.Version)
            {
                problems.AddRange(group.Where(o => !IsNoOp(o.Operation, state, renewedUntil)).Select(o => $"{o.Operation} answered version 1 but would change it"));
                continue;
            }
            if (!history.TryGetValue(version - 1, out var before))
            {
                continue;
            }
            var author = group.FirstOrDefault(o => Apply(o.Operation, before, renewedUntil) == state && (state != before || AlwaysChanges(o.Operation)));
            if (author is null)
            {
                problems.Add($"no single operation turns version {version - 1} {before} into version {version} {state}");
                continue;
            }
            problems.AddRange(group.Where(o => o != author && !IsNoOp(o.Operation, state, renewedUntil))
                .Select(o => $"{o.Operation} answered version {version} {state}, which it would have changed"));
        }

        var deleted = outcomes.Count(o => o.Operation.Kind == "delete" && o.Status == HttpStatusCode.NoContent);
        if (deleted > 1)
        {
            problems.Add($"{deleted} deletions of one token succeeded");
        }
        foreach (var refused in outcomes.Where(o => o.Token is null && o.Status != HttpStatusCode.NoContent))
        {
            var truthful = (refused.Status, refused.Code) switch
            {
                (HttpStatusCode.NotFound, "token_not_found") => deleted == 1,
                (HttpStatusCode.Conflict, "token_cancelled") => refused.Operation.Kind == "renew" && history.Values.Any(f => f.Status == "cancelled"),
                (HttpStatusCode.Conflict, "concurrent_modification") => refused.Operation.Kind != "rename" || history.Values.All(f => f.Name != refused.Operation.Value),
                _ => false,
            };
            if (!truthful)
            {
                problems.Add($"{refused.Operation} was answered {(int)refused.Status} {refused.Code}, which no moment of the history explains");
            }
        }
        return (history, problems);
    }

    private static async Task<List<string>> CheckFinalAsync(HttpResponseMessage final, Outcome[] outcomes, Dictionary<long, Facts> history)
    {
        var problems = new List<string>();
        var deleted = outcomes.Any(o => o.Operation.Kind == "delete" && o.Status == HttpStatusCode.NoContent);
        if (deleted)
        {
            if (final.StatusCode != HttpStatusCode.NotFound)
            {
                problems.Add($"the deletion was acknowledged, yet the token answers {(int)final.StatusCode}");
            }
            return problems;
        }
        if (final.StatusCode != HttpStatusCode.OK)
        {
            problems.Add($"nobody deleted the token, yet it answers {(int)final.StatusCode}");
            return problems;
        }
        var stored = JsonSerializer.Deserialize<TokenResponse>(await final.Content.ReadAsStringAsync(), HttpExtensions.Json)!;
        var newest = history.Keys.Max();
        if (stored.Version != newest || FactsOf(stored) != history[newest])
        {
            problems.Add($"stored version {stored.Version} {FactsOf(stored)} is not the end of the history, version {newest} {history[newest]}");
        }
        return problems;
    }
}
