using System.Text.RegularExpressions;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

/// <summary>Workloads: list, create, rename, delete, and a workload's Tokens section.</summary>
public sealed class WorkloadPagesTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    [Fact]
    public async Task Workloads_are_created_listed_renamed_and_deleted_and_their_tokens_become_unassigned()
    {
        var (page, _) = await server.SignedInAsync();
        await page.GotoAsync("/workloads");
        Assert.Contains("No workloads yet", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync("workloads-empty");

        var id = await page.CreateWorkloadAsync("llama-3", "Chat model");
        Assert.Contains("Workload created", await page.GetByRole(AriaRole.Status).InnerTextAsync(), StringComparison.Ordinal);
        await page.CreateWorkloadAsync("mistral-7b");
        var (tokenId, _) = await page.CreateTokenAsync("alice", "llama-3");
        await page.CreateTokenAsync("bob", "llama-3");

        await page.GotoAsync("/workloads");
        var row = page.Locator("#workloads tbody tr", new() { HasText = "llama-3" });
        Assert.Equal(["llama-3", "Chat model", "2"], [
            await row.Locator("td[data-label=Name]").InnerTextAsync(),
            await row.Locator("td[data-label=Description]").InnerTextAsync(),
            await row.Locator("td[data-label='Active tokens']").InnerTextAsync(),
        ]);
        Assert.Equal("just now", await row.Locator("td[data-label=Created] time").InnerTextAsync());
        await page.AssertLabelledAsync();
        await page.ScreenshotAsync("workloads");

        // Rename; a taken name is refused beside the field.
        await row.GetByRole(AriaRole.Link, new() { Name = "llama-3" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("MISTRAL-7B");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        Assert.Equal("Another workload already has this name.", await page.Locator("#name-error").InnerTextAsync());
        Assert.Equal("true", await page.GetByLabel("Name", new() { Exact = true }).GetAttributeAsync("aria-invalid"));
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("llama-3.1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        Assert.Equal("llama-3.1", await page.Locator("h1").InnerTextAsync());

        // Delete, after a confirmation that says what happens to the tokens.
        await page.GetByText("Delete this workload…").ClickAsync();
        var warning = await page.Locator("#delete-text").InnerTextAsync();
        Assert.Contains("2 token(s)", warning, StringComparison.Ordinal);
        Assert.Contains("unassigned", warning, StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete workload" }).ClickAsync();
        await page.LandsOnAsync(new Regex(@"/workloads\?done=deleted$"));
        Assert.Equal(0, await page.Locator("#workloads tbody tr", new() { HasText = "llama-3.1" }).CountAsync());

        await page.GotoAsync($"/tokens/{tokenId}");
        Assert.Equal("Unassigned", await page.Locator("h1 .badge").InnerTextAsync());
        await page.AssertNoneAsync();
        var gone = await page.GotoAsync($"/workloads/{id}");
        Assert.Equal(404, gone!.Status);
        Assert.Contains("Not found", await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_management_creates_with_the_workload_preselected_unassigns_and_assigns_by_name()
    {
        var (page, _) = await server.SignedInAsync();
        var workloadId = await page.CreateWorkloadAsync("whisper", "Speech to text");
        var (parkedId, _) = await page.CreateTokenAsync("carol-laptop");
        await page.CreateTokenAsync("carol-phone");
        await page.CreateTokenAsync("dave");

        await page.GotoAsync($"/workloads/{workloadId}");
        Assert.Contains("No tokens assigned", await page.Locator("#token-management").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Link, new() { Name = "Create token", Exact = true }).ClickAsync();
        Assert.Equal("whisper", await page.GetByLabel("Workload").Locator("option:checked").InnerTextAsync());
        var (createdId, _) = await page.GenerateAsync("erin", workloadName: null);
        await page.GetByRole(AriaRole.Link, new() { Name = "Done" }).ClickAsync();
        Assert.EndsWith($"/workloads/{workloadId}", page.Url, StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("#workload-tokens tbody tr", new() { HasText = "erin" }).CountAsync());

        // Assign an unassigned token by typing part of its name and choosing it from the matches.
        await page.GetByLabel("Token name").FillAsync("carol");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        var matches = page.Locator("#assign-matches li");
        Assert.Equal(2, await matches.CountAsync());
        await page.AssertLabelledAsync();
        await page.ScreenshotAsync("workload-detail-assign");
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign carol-laptop" }).ClickAsync();
        Assert.Contains("Token assigned", await page.GetByRole(AriaRole.Status).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator("#workload-tokens tbody tr").CountAsync());
        await page.ScreenshotAsync("workload-detail");

        // Remove an assignment with the "x", after a confirmation.
        await page.GetByRole(AriaRole.Link, new() { Name = "Remove assignment of carol-laptop" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Alertdialog);
        Assert.Contains("carol-laptop", await confirm.InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync("workload-detail-unassign");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Remove assignment" }).ClickAsync();
        Assert.Contains("Assignment removed", await page.GetByRole(AriaRole.Status).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(["erin"], await page.Locator("#workload-tokens tbody td[data-label=Name] a").AllInnerTextsAsync());

        await page.GotoAsync($"/tokens/{parkedId}");
        Assert.Equal("Unassigned", await page.Locator("h1 .badge").InnerTextAsync());
        await page.GotoAsync($"/tokens/{createdId}");
        Assert.Equal("Active", await page.Locator("h1 .badge").InnerTextAsync());
        await page.AssertNoneAsync();
    }

    [Fact]
    public async Task An_empty_name_is_refused_beside_the_field_and_another_accounts_workload_is_not_found()
    {
        var (page, _) = await server.SignedInAsync();
        await page.GotoAsync("/workloads");
        await page.GetByLabel("Name").FillAsync("   ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create workload" }).ClickAsync();
        Assert.NotEqual("", await page.Locator("#name-error").InnerTextAsync());
        Assert.Contains("Some fields need attention", await page.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.Ordinal);

        var (other, _) = await server.SignedInAsync("Someone else");
        var foreignId = await other.CreateWorkloadAsync("theirs");
        var response = await page.GotoAsync($"/workloads/{foreignId}");
        Assert.Equal(404, response!.Status);
        Assert.DoesNotContain("theirs", await page.ContentAsync(), StringComparison.Ordinal);
    }
}
