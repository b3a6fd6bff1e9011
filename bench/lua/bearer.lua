-- wrk script: GET URLPATH with "Authorization: Bearer BEARER".
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BEARER")
wrk.path = os.getenv("URLPATH") or wrk.path
