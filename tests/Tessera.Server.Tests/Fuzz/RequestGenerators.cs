using System.Globalization;
using System.Text;
using CsCheck;
using Tessera.Core.Secrets;

namespace Tessera.Server.Tests.Fuzz;

/// <summary>
/// CsCheck generators for hostile requests at every endpoint: random JSON shapes and wrong types, huge
/// and empty strings, unicode edge cases (RTL overrides, zero-width, lone surrogates), numbers at the
/// limits, random headers, bearer values, cursors and ids. Destructive calls that need no body
/// (DELETE, revoke) only aim at ids the fuzzed account does not own, so an accepted one cannot wipe
/// the data every later case is checked against.
/// </summary>
public sealed class RequestGenerators(FuzzTargets targets)
{
    private static readonly string[] FieldNames =
        ["name", "note", "workloadId", "status", "expiresAt", "description", "key", "token", "id", "version", "stauts", "NAME", "name\u0000", "tsq_x", ""];

    private static readonly string[] EdgeStrings =
    [
        "", " ", "   \t ", "alice", "llama-3", "\u202Eevil\u202C", "a\u200Bb", "\u200D", "\uFEFFname", "\uD800", "\uDC00", "a\uD83D", "😀",
        "\u0000", "line\nbreak", "\r\n", "\u2028", "\u2066iso\u2069", "مرحبا بالعالم", "שלום", "e\u0301", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
        "active", "cancelled", "ACTIVE", "revoked", "none", "null", "2026-12-01T12:00:00Z", "2026-12-01T12:00:00", "9999-12-31T23:59:59.9999999Z",
        "0001-01-01T00:00:00Z", "2026-11-30T12:00:00+14:00", "tsl_", "tsq_", "<script>alert(1)</script>", "'; DROP TABLE tokens; --", "%00",
        new string('a', 100), new string('a', 101), new string('n', 1000), new string('n', 1001), new string('x', 5000), new string('é', 101),
        string.Concat(Enumerable.Repeat("😀", 100)), string.Concat(Enumerable.Repeat("😀", 101)),
    ];

    private static readonly string[] EdgeNumbers =
    [
        "0", "-0", "1", "-1", "0.5", "1e308", "1e309", "-1e309", "1E-400", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "1.7976931348623157E+308",
    ];

    private static readonly string[] QueryValues =
    [
        "", "0", "-1", "1", "200", "201", "2147483648", "99999999999999999999", "1e3", "NaN", "abc", "none", "None", "usable", "expired", "cancelled",
        "active", "createdAt", "expiresAt", "name", "lastUsedAt", "-createdAt", "2026-11-30T12:00:00Z", "2026-11-30T12:00:00", "+275760-09-13T00:00:00Z",
        "%00", "%FF%FE", "%ED%A0%80", "%E2%80%AE", "%F0%9F%98%80", "a%20b", new string('q', 101), new string('q', 3000),
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json", "application/json", "application/merge-patch+json", "application/json; charset=utf-8",
        "application/json; charset=utf-16", "application/json; charset=latin1", "text/plain", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/xml", "x/y", "application/json; charset", ";;;", "*/*",
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    /// <summary>Printable ASCII, which is all a header value can carry through a real server.</summary>
    private static readonly Gen<string> HeaderText = Gen.String[Gen.Char[' ', '~'], 0, 60];

    public Gen<FuzzRequest> Request => Gen.Select(Target, Authorization, ExtraHeaders, BodyAndType,
        (target, authorization, headers, body) =>
            new FuzzRequest(target.Method, target.PathAndQuery, authorization, headers, body.Body, body.ContentType));

    private Gen<(string Method, string PathAndQuery)> Target => Gen.Frequency(
        (3, OwnedOrForeign(Kind.Token).Select(id => ("GET", $"/v1/tokens/{id}"))),
        (8, OwnedOrForeign(Kind.Token).Select(id => ("PATCH", $"/v1/tokens/{id}"))),
        (4, OwnedOrForeign(Kind.Token).Select(id => ("POST", $"/v1/tokens/{id}/renew"))),
        (3, NotOwned(Kind.Token).Select(id => ("DELETE", $"/v1/tokens/{id}"))),
        (8, Gen.Const(("POST", "/v1/tokens"))),
        (6, ListQuery(TokenListParameters).Select(q => ("GET", "/v1/tokens" + q))),
        (3, OwnedOrForeign(Kind.Workload).Select(id => ("GET", $"/v1/workloads/{id}"))),
        (6, OwnedOrForeign(Kind.Workload).Select(id => ("PATCH", $"/v1/workloads/{id}"))),
        (3, NotOwned(Kind.Workload).Select(id => ("DELETE", $"/v1/workloads/{id}"))),
        (6, Gen.Const(("POST", "/v1/workloads"))),
        (3, ListQuery(["limit", "cursor"]).Select(q => ("GET", "/v1/workloads" + q))),
        (5, OwnedOrForeign(Kind.Workload).Select(id => ("POST", $"/v1/workloads/{id}/tokens"))),
        (2, Gen.Const(("GET", "/v1/account"))),
        (2, ListQuery(["limit"]).Select(q => ("GET", "/v1/license-keys" + q))),
        (4, Gen.Const(("POST", "/v1/license-keys"))),
        (3, NotOwned(Kind.LicenseKey).Select(id => ("DELETE", $"/v1/license-keys/{id}"))),
        (5, Gen.Const(("POST", "/v1/handshake"))),
        (5, AuthQuery.Select(q => ("GET", "/v1/auth" + q))),
        (1, Gen.OneOf("/healthz", "/readyz", "/openapi/v1.json", "/").Select(p => ("GET", p))),
        (4, Gen.Select(Gen.OneOf(Methods), KnownPath, (m, p) => (m, p))),
        (2, Gen.Select(Gen.OneOf(Methods), RandomPath, (m, p) => (m, p))));

    private static readonly string[] TokenListParameters =
        ["workloadId", "status", "state", "q", "createdFrom", "createdTo", "expiresBefore", "sort", "limit", "cursor"];

    private Gen<string> KnownPath => Gen.OneOf(
        "/v1/tokens", "/v1/workloads", "/v1/license-keys", "/v1/account", "/v1/handshake", "/v1/auth", $"/v1/tokens/{targets.TokenIds[0]}",
        $"/v1/tokens/{targets.TokenIds[0]}/renew", $"/v1/workloads/{targets.WorkloadIds[0]}", $"/v1/workloads/{targets.WorkloadIds[0]}/tokens");

    private static Gen<string> RandomPath => Gen.Select(Gen.OneOf("/v1/", "/", "/v1/tokens/", "/v1/workloads/", "/api/", "/v2/"), PathSegment,
        (prefix, segment) => prefix + segment);

    /// <summary>Like <see cref="EncodedText"/> without NUL, which a real server refuses before any code runs (the test host cannot send it).</summary>
    private static Gen<string> PathSegment => EncodedText.Select(s => s.Replace("%00", "%01", StringComparison.Ordinal));

    /// <summary>Text percent-encoded as UTF-8 bytes, sometimes with bytes no UTF-8 text has.</summary>
    private static Gen<string> EncodedText => Gen.Frequency(
        (3, Gen.OneOf(EdgeStrings).Select(Escape)),
        (2, Gen.String[0, 40].Select(Escape)),
        (1, Gen.Byte.Array[0, 20].Select(bytes => string.Concat(bytes.Select(b => $"%{b:X2}")))));

    private static string Escape(string text) =>
        string.Concat(Encoding.UTF8.GetBytes(text).Select(b => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' ? ((char)b).ToString() : $"%{b:X2}"));

    private Gen<string> ListQuery(string[] known)
    {
        var value = Gen.Frequency(
            (4, Gen.OneOf(QueryValues)),
            (2, IdValue),
            (2, CursorValue),
            (1, EncodedText));
        var pair = Gen.Select(Gen.Frequency((6, Gen.OneOf(known)), (1, Gen.OneOf("token", "access_token", "foo", "LIMIT", "", "limit[]"))), value,
            (name, v) => $"{name}={v}");
        return pair.Array[0, 4].Select(pairs => pairs.Length == 0 ? "" : "?" + string.Join('&', pairs));
    }

    /// <summary>
    /// How a gateway names the workload it guards on GET /v1/auth: not at all, once (a real id of this or the other
    /// account, a made-up id, a name, an empty or odd value, under the right name or a near miss), or repeated.
    /// </summary>
    private Gen<string> AuthQuery
    {
        get
        {
            var value = Gen.Frequency(
                (3, Gen.OneOf([.. targets.WorkloadIds])),
                (1, Gen.OneOf([.. targets.ForeignWorkloadIds])),
                (2, IdValue),
                (1, Gen.OneOf("", "llama-3", "wl_", "WL_" + targets.WorkloadIds[0][3..], "%20" + targets.WorkloadIds[0])),
                (1, EncodedText));
            var pair = Gen.Select(Gen.Frequency((8, Gen.Const("workload")), (1, Gen.OneOf("Workload", "workload[]", "wl", ""))), value,
                (name, v) => $"{name}={v}");
            return Gen.Frequency(
                (2, Gen.Const("")),
                (6, pair.Select(p => "?" + p)),
                (1, pair.Array[2, 3].Select(pairs => "?" + string.Join('&', pairs))));
        }
    }

    private Gen<string> IdValue => Gen.Frequency(
        (2, Gen.OneOf([.. targets.WorkloadIds, .. targets.ForeignWorkloadIds, .. targets.TokenIds])),
        (2, RandomId),
        (1, Gen.OneOf(EdgeStrings).Select(Escape)));

    /// <summary>The real cursor of the fuzzed account's first page, bent in every way, and made-up ones.</summary>
    private Gen<string> CursorValue => Gen.Frequency(
        (2, Gen.Const(targets.Cursor)),
        (2, Gen.Int[0, Math.Max(0, targets.Cursor.Length - 1)].Select(i => targets.Cursor.Remove(i, 1))),
        (2, Gen.Select(Gen.Int[0, Math.Max(0, targets.Cursor.Length - 1)], Gen.Char['!', '~'],
            (i, c) => Uri.EscapeDataString(targets.Cursor.Remove(i, 1).Insert(i, c.ToString())))),
        (2, JsonText(2).Select(json => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_'))),
        (1, Gen.Byte.Array[0, 64].Select(bytes => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_'))));

    private enum Kind
    {
        Token,
        Workload,
        LicenseKey,
    }

    private Gen<string> OwnedOrForeign(Kind kind) => Gen.Frequency(
        (3, Gen.OneOf([.. Owned(kind)])),
        (2, NotOwned(kind)));

    private Gen<string> NotOwned(Kind kind) => Gen.Frequency(
        (2, Gen.OneOf([.. Foreign(kind)])),
        (2, RandomId),
        (1, Gen.OneOf([.. Owned(kind == Kind.Token ? Kind.Workload : Kind.Token)])), // a real id of the wrong type
        (2, PathSegment),
        (1, Gen.Const(new string('7', 10_000))));

    private IReadOnlyList<string> Owned(Kind kind) => kind switch
    {
        Kind.Token => targets.TokenIds,
        Kind.Workload => targets.WorkloadIds,
        _ => [targets.LicenseKeyId],
    };

    private IReadOnlyList<string> Foreign(Kind kind) => kind switch
    {
        Kind.Token => targets.ForeignTokenIds,
        Kind.Workload => targets.ForeignWorkloadIds,
        _ => [targets.ForeignLicenseKeyId],
    };

    private static Gen<string> RandomId => Gen.Select(Gen.OneOf("tok_", "wl_", "lic_", "acct_", "TOK_", ""), Gen.Char["0123456789abcdefABCDEF-"].Array[0, 40],
        (prefix, hex) => prefix + new string(hex));

    private Gen<string?> Authorization => Gen.Frequency(
        (14, Gen.Const<string?>("Bearer " + targets.LicenseKey)),
        (1, Gen.Const<string?>("bearer  " + targets.LicenseKey + " ")),
        (2, Gen.Const((string?)null)),
        (3, Gen.OneOf([.. targets.TokenSecrets]).Select(s => (string?)("Bearer " + s))),
        (2, Gen.Const(0).Select(_ => (string?)("Bearer " + SecretFormat.Generate(SecretKind.QueryToken)))),
        (1, Gen.Const(0).Select(_ => (string?)("Bearer " + SecretFormat.Generate(SecretKind.LicenseKey)))),
        (1, Gen.Select(Gen.Int[4, 52], Gen.Char['0', 'z'], (i, c) => (string?)("Bearer " + targets.LicenseKey.Remove(i, 1).Insert(i, c.ToString())))),
        (2, Gen.Select(Gen.OneOf("Bearer ", "Basic ", "Token ", "", "Bearer", "Bearer tsl_", "Bearer tsq_"), HeaderText, (scheme, value) => (string?)(scheme + value))),
        (1, Gen.Const<string?>("Bearer " + new string('A', 8000))));

    /// <summary>Random headers; X-Tessera-Workload (the guarded workload for GET /v1/auth) with real workload ids among its values.</summary>
    private Gen<IReadOnlyList<KeyValuePair<string, string>>> ExtraHeaders =>
        Gen.OneOf("If-Match", "If-None-Match", "X-Forwarded-For", "Accept", "Accept-Charset", "Content-Encoding", "X-HTTP-Method-Override", "Cookie", "X-Requested-With",
                "X-Tessera-Workload")
            .Select(Gen.Frequency(
                (3, Gen.OneOf("\"1\"", "\"2\"", "*", "W/\"1\"", "\"1\", \"2\"", "\"99999999999999999999\"", "\"-1\"", "\"\"", "1", "gzip", "DELETE",
                    "application/xml", "license_key=tsl_x", "127.0.0.1", "::1, 10.0.0.1", "unknown", "llama-3")),
                (2, Gen.OneOf([.. targets.WorkloadIds, .. targets.ForeignWorkloadIds])),
                (2, HeaderText)), (name, value) => new KeyValuePair<string, string>(name, value)).Array[0, 3]
            .Select(headers => (IReadOnlyList<KeyValuePair<string, string>>)headers);

    private Gen<(byte[]? Body, string? ContentType)> BodyAndType => Gen.Frequency(
        (2, Gen.Const(((byte[]?)null, (string?)null))),
        (10, Gen.Select(JsonText(3), Gen.OneOf(ContentTypes), (json, type) => ((byte[]?)Encoding.UTF8.GetBytes(json), (string?)type))),
        (3, Gen.Select(RawBody, Gen.OneOf(ContentTypes), (body, type) => ((byte[]?)body, (string?)type))),
        (1, JsonText(3).Select(json => ((byte[]?)Encoding.UTF8.GetBytes(json), (string?)null))));

    private static Gen<byte[]> RawBody => Gen.Frequency(
        (2, Gen.OneOf("", "{", "[", "nul", "{\"name\":", "{\"name\" \"x\"}", "{'name':'x'}", "{\"name\":\"x\",}", "// c\n{}", "{}{}", "\"name\"", "[{}]",
            "{\"name\":\"a\",\"name\":\"b\"}", "{\"status\":\"cancelled\",\"status\":\"active\"}", "{\"name\":\"\\ud800\"}", "{\"name\":\"\\u0000\"}",
            "{\"note\":\"\\uDFFF\\uD800\"}", "{\"name\":\"x\"} trailing", "NaN", "Infinity", "\u00EF\u00BB\u00BF{}").Select(s => Encoding.UTF8.GetBytes(s))),
        (1, Gen.Byte.Array[0, 200]),
        (1, Gen.OneOf(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}' }, [(byte)'{', (byte)'"', (byte)'n', 0xFF, (byte)'"', (byte)':', (byte)'1', (byte)'}'],
            [(byte)'{', (byte)'"', (byte)'n', (byte)'a', (byte)'m', (byte)'e', (byte)'"', (byte)':', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"', (byte)'}'])),
        (1, Gen.Int[33, 5000].Select(depth => Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth)))),
        (1, Gen.OneOf(60_000, 65_536, 65_537, 200_000).Select(size => Encoding.UTF8.GetBytes("{\"name\":\"" + new string('a', size) + "\"}"))));

    /// <summary>JSON text (sometimes with duplicate keys or lone surrogates as escapes) up to <paramref name="depth"/> levels.</summary>
    private static Gen<string> JsonText(int depth)
    {
        var scalar = Gen.Frequency(
            (4, StringValue.Select(JsonString)),
            (2, Gen.OneOf(EdgeNumbers)),
            (1, Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture))),
            (1, Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "1e999")),
            (1, Gen.OneOf("true", "false", "null")));
        if (depth == 0)
        {
            return scalar;
        }
        var inner = JsonText(depth - 1);
        var member = Gen.Select(Gen.Frequency((5, Gen.OneOf(FieldNames)), (1, StringValue)), Gen.Frequency((4, scalar), (1, inner)),
            (name, value) => JsonString(name) + ":" + value);
        return Gen.Frequency(
            (3, scalar),
            (6, member.Array[0, 5].Select(members => "{" + string.Join(',', members) + "}")),
            (1, inner.Array[0, 4].Select(items => "[" + string.Join(',', items) + "]")));
    }

    private static Gen<string> StringValue => Gen.Frequency(
        (4, Gen.OneOf(EdgeStrings)),
        (2, Gen.String[0, 30]),
        (1, Gen.Char.Array[0, 12].Select(chars => new string(chars))));

    /// <summary>A JSON string literal; anything outside printable ASCII is a \u escape, so lone surrogates survive as text.</summary>
    private static string JsonString(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                < ' ' or > '~' => text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
                _ => text.Append(c),
            };
        }
        return text.Append('"').ToString();
    }
}
