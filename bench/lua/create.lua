-- wrk script: POST /v1/tokens with the license key in LICENSE_KEY, each token bound to WORKLOAD_ID.
wrk.method = "POST"
wrk.path = "/v1/tokens"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("LICENSE_KEY")
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"bench user","workloadId":"' .. os.getenv("WORKLOAD_ID") .. '"}'
