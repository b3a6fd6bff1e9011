using Tessera.Core.Storage;

namespace Tessera.Core.Tests.Storage;

/// <summary>One page shape for every list: its bounds, its cursor and draining a whole list.</summary>
public sealed class PageRequestTests
{
    private const string WorkloadId = "wl_0190f5a2b3c47def8abc0123456789ab";

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(201)]
    public void A_limit_out_of_bounds_is_400_invalid_query_on_the_limit_field(int limit)
    {
        var refused = Assert.Throws<TesseraException>(() => new PageRequest(limit).EnsureValid());

        Assert.Equal((ProblemKind.BadRequest, ErrorCodes.InvalidQuery), (refused.Kind, refused.Code));
        Assert.Equal(["Must be between 1 and 200."], refused.Errors!["limit"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(50)]
    [InlineData(200)]
    public void A_limit_within_bounds_passes(int limit) => new PageRequest(limit).EnsureValid();

    [Fact]
    public void The_cursor_decodes_for_its_own_list_only()
    {
        var cursor = new ListCursor("workloads", "name", WorkloadId, null, "llama").Encode();

        Assert.Equal(WorkloadId, new PageRequest(10, cursor).After("workloads", "name", Ids.Workload)!.Id);
        Assert.Null(new PageRequest(10).After("workloads", "name", Ids.Workload));
        Assert.Equal(ErrorCodes.InvalidCursor,
            Assert.Throws<TesseraException>(() => new PageRequest(10, cursor).After("webhooks", "id", Ids.Webhook)).Code);
    }

    [Fact]
    public async Task All_reads_every_page_at_the_largest_size_following_each_cursor()
    {
        var asked = new List<PageRequest>();
        var items = Enumerable.Range(0, 450).ToList();
        Task<Page<int>> ListAsync(PageRequest page, CancellationToken cancellationToken)
        {
            asked.Add(page);
            var start = page.Cursor is null ? 0 : int.Parse(page.Cursor, System.Globalization.CultureInfo.InvariantCulture);
            var slice = items.Skip(start).Take(page.Limit).ToList();
            var more = start + slice.Count < items.Count;
            return Task.FromResult(new Page<int>(slice, more) { NextCursor = more ? (start + slice.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null });
        }

        var all = new List<int>();
        await foreach (var item in PageRequest.AllAsync<int>(ListAsync, TestContext.Current.CancellationToken))
        {
            all.Add(item);
        }

        Assert.Equal(items, all);
        Assert.Equal([new PageRequest(200), new PageRequest(200, "200"), new PageRequest(200, "400")], asked);
    }

    [Fact]
    public void A_page_deconstructs_to_its_items_and_the_cursor_after_its_last_item()
    {
        var page = new Page<string>([WorkloadId], hasMore: true).WithCursor(id => new ListCursor("workloads", "name", id, null, "llama"));
        var (items, next) = page;

        Assert.Equal([WorkloadId], items);
        Assert.Equal(WorkloadId, ListCursor.Decode(next!, "workloads", "name", Ids.Workload).Id);
        Assert.Null(new Page<string>([WorkloadId], hasMore: false).WithCursor(_ => throw new InvalidOperationException()).NextCursor);
    }
}
