using System.Security.Cryptography;
using Tessera.Core.Secrets;

namespace Tessera.Core.Tests.Secrets;

public sealed class Sha256Tests
{
    [Fact]
    public void Gives_the_same_digest_as_the_platform_for_every_length_up_to_several_blocks()
    {
        var random = new Random(7);
        Span<byte> ours = stackalloc byte[32];
        for (var length = 0; length <= 300; length++)
        {
            var input = new byte[length];
            random.NextBytes(input);

            Sha256.HashData(input, ours);

            Assert.Equal(SHA256.HashData(input), ours.ToArray());
        }
    }

    [Fact]
    public void Is_safe_to_use_from_many_threads_at_once()
    {
        var inputs = Enumerable.Range(0, 64).Select(i => Enumerable.Repeat((byte)i, 53 + i).ToArray()).ToArray();
        var expected = inputs.Select(SHA256.HashData).ToArray();

        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            Span<byte> digest = stackalloc byte[32];
            Sha256.HashData(inputs[i % inputs.Length], digest);
            Assert.True(digest.SequenceEqual(expected[i % inputs.Length]));
        });
    }

    [Fact]
    public void Refuses_a_destination_shorter_than_a_digest()
    {
        Assert.Throws<ArgumentException>(() => Sha256.HashData([1, 2, 3], new byte[31]));
    }
}
