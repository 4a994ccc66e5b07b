"""Switchable faults of the forge simulator, over real loopback HTTP."""

from __future__ import annotations

import http.client
import threading
import time
from urllib.parse import quote

import pytest
import requests

from collectors.simulator import ForgeSimulator, World


@pytest.fixture(scope="module")
def fsim():
    with ForgeSimulator(World(seed=7, activity_scale=0.3)) as simulator:
        yield simulator


@pytest.fixture(autouse=True)
def clean(fsim):
    fsim.faults.clear()
    fsim.faults.reset_fired()
    fsim.reset_counters()
    yield
    fsim.faults.clear()


_tokens = iter(range(10**6))


@pytest.fixture
def token() -> str:
    # A fresh token per test, so one test's budget never leaks into another's.
    return f"token t{next(_tokens)}"


def _repo(sim, forge: str, nested: bool = False):
    return next(r for r in sim.world.repos if r.forge == forge and r.commits and (not nested or r.path.count("/") >= 2))


def gh(sim, rest: str, token: str, timeout: float = 5, **headers) -> requests.Response:
    return requests.get(f"{sim.base_url}/github/api/v3{rest}", headers={"Authorization": token, **headers}, timeout=timeout)


def gl(sim, rest: str, token: str, forge: str = "gitlab", timeout: float = 5, **headers) -> requests.Response:
    return requests.get(f"{sim.base_url}/{forge}/api/v4{rest}", headers={"PRIVATE-TOKEN": token, **headers}, timeout=timeout)


def _commits(repo) -> str:
    return f"/repos/{repo.path}/commits"


def _project_commits(repo) -> str:
    return f"/projects/{quote(repo.path, safe='')}/repository/commits"


# -- 5xx ---------------------------------------------------------------------------------


def test_server_error_burst_then_recovery_and_counted(fsim, token):
    repo = _repo(fsim, "github")
    fsim.faults.server_error(status=502, forge="github", times=2)

    answers = [gh(fsim, _commits(repo), token) for _ in range(3)]

    assert [r.status_code for r in answers] == [502, 502, 200]
    assert answers[0].json()["message"]
    assert answers[0].headers["Content-Type"].startswith("application/json")
    assert fsim.requests["github GET /repos/{owner}/{repo}/commits"] == 3
    assert fsim.faults.fired["server_error"] == 2
    assert fsim.faults.active() == []


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_error_gitlab_shape(fsim, token, status):
    repo = _repo(fsim, "gitlab")
    fsim.faults.server_error(status=status, retry_after=3 if status == 503 else None)

    r = gl(fsim, _project_commits(repo), token)

    assert r.status_code == status
    assert r.json()["message"].startswith(f"{status} ")
    assert (r.headers.get("Retry-After") == "3") == (status == 503)


# -- secondary limits ---------------------------------------------------------------------


def test_secondary_limit_github_403_keeps_primary_budget(fsim, token):
    repo = _repo(fsim, "github")
    fsim.faults.secondary_limit(retry_after=2, forge="github", times=1)

    r = gh(fsim, _commits(repo), token)

    assert r.status_code == 403
    assert r.headers["Retry-After"] == "2"
    assert r.json()["message"].startswith("You have exceeded a secondary rate limit")
    assert int(r.headers["X-RateLimit-Remaining"]) > 0  # what tells it apart from an exhausted budget
    assert gh(fsim, _commits(repo), token).status_code == 200


def test_secondary_limit_github_429(fsim, token):
    fsim.faults.secondary_limit(retry_after=0, status=429, forge="github", times=1)

    r = gh(fsim, "/rate_limit", token)

    assert r.status_code == 429
    assert r.headers["Retry-After"] == "0"
    assert "secondary rate limit" in r.json()["message"]


@pytest.mark.parametrize("forge", ["gitlab", "opencode"])
def test_secondary_limit_gitlab_429_throttle(fsim, token, forge):
    repo = _repo(fsim, forge)
    fsim.faults.secondary_limit(retry_after=1, forge=forge, times=1)

    before = time.time()
    r = gl(fsim, _project_commits(repo), token, forge=forge)

    assert r.status_code == 429
    assert r.headers["Retry-After"] == "1"
    assert r.headers["RateLimit-Remaining"] == "0"
    assert int(r.headers["RateLimit-Reset"]) >= int(before) + 1
    assert {"RateLimit-Limit", "RateLimit-Observed", "RateLimit-ResetTime"} <= set(r.headers)
    assert r.text == "Retry later\n"
    assert gl(fsim, _project_commits(repo), token, forge=forge).status_code == 200


# -- exhausted budget ---------------------------------------------------------------------


def test_exhausted_budget_github_until_reset(fsim, token):
    repo = _repo(fsim, "github")
    fsim.faults.exhausted_budget(reset_in=0.6, forge="github", endpoint="/repos/{owner}/{repo}/commits")

    start = time.time()
    r = gh(fsim, _commits(repo), token)

    assert r.status_code == 403
    assert r.headers["X-RateLimit-Remaining"] == "0"
    assert start < int(r.headers["X-RateLimit-Reset"]) <= start + 2
    assert r.json()["message"].startswith("API rate limit exceeded")
    # The budget is the token's: other endpoints fail too, other tokens do not.
    assert gh(fsim, f"/repos/{repo.path}", token).status_code == 403
    assert gh(fsim, f"/repos/{repo.path}", token + "-other").status_code == 200
    # Waiting until X-RateLimit-Reset is enough: it recovers by itself.
    time.sleep(max(0.0, int(r.headers["X-RateLimit-Reset"]) - time.time()) + 0.05)
    ok = gh(fsim, _commits(repo), token)
    assert ok.status_code == 200
    assert int(ok.headers["X-RateLimit-Remaining"]) == fsim.budgets["github"].limit - 1
    assert fsim.faults.fired["exhausted_budget"] == 1


def test_exhausted_budget_gitlab_429(fsim, token):
    repo = _repo(fsim, "opencode")
    fsim.faults.exhausted_budget(reset_in=0.3, forge="opencode")

    r = gl(fsim, _project_commits(repo), token, forge="opencode")

    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1
    assert r.headers["RateLimit-Remaining"] == "0"
    assert int(r.headers["RateLimit-Reset"]) > time.time() - 1
    # Other forges keep their own budgets.
    assert gl(fsim, _project_commits(_repo(fsim, "gitlab")), token).status_code == 200
    time.sleep(0.35)
    assert gl(fsim, _project_commits(repo), token, forge="opencode").status_code == 200


# -- slow ---------------------------------------------------------------------------------


def test_slow_answer_triggers_client_timeout_then_recovers(fsim, token):
    repo = _repo(fsim, "github")
    fsim.faults.slow(delay=0.6, forge="github", times=1)

    with pytest.raises(requests.exceptions.ReadTimeout):
        gh(fsim, _commits(repo), token, timeout=0.2)
    start = time.monotonic()
    assert gh(fsim, _commits(repo), token, timeout=0.5).status_code == 200
    assert time.monotonic() - start < 0.5
    assert fsim.requests["github GET /repos/{owner}/{repo}/commits"] == 2


def test_slow_answer_is_complete_when_waited_for(fsim, token):
    repo = _repo(fsim, "gitlab")
    fsim.faults.slow(delay=0.3, times=1)

    start = time.monotonic()
    r = gl(fsim, _project_commits(repo), token)

    assert time.monotonic() - start >= 0.3
    assert r.status_code == 200
    assert r.json()[0]["id"] == repo.commits[0].sha


# -- cut ----------------------------------------------------------------------------------


def test_cut_connection_raises_in_requests(fsim, token):
    repo = _repo(fsim, "github")
    fsim.faults.cut(fraction=0.5, forge="github", times=1)

    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        gh(fsim, _commits(repo), token)
    assert gh(fsim, _commits(repo), token).status_code == 200


def test_cut_sends_headers_then_part_of_the_body(fsim, token):
    repo = _repo(fsim, "gitlab")
    fsim.faults.cut(fraction=0.25, times=1)
    host, port = fsim.httpd.server_address[:2]

    conn = http.client.HTTPConnection(host, port, timeout=5)
    conn.request("GET", f"/gitlab/api/v4{_project_commits(repo)}", headers={"PRIVATE-TOKEN": token})
    resp = conn.getresponse()
    assert resp.status == 200
    length = int(resp.getheader("Content-Length"))
    with pytest.raises(http.client.IncompleteRead) as info:
        resp.read()
    assert 0 < len(info.value.partial) < length
    assert len(info.value.partial) == int(length * 0.25)
    conn.close()


def test_cut_ignores_if_none_match(fsim, token):
    # A cached answer must not hide the cut: there is always a body to cut.
    repo = _repo(fsim, "github")
    etag = gh(fsim, _commits(repo), token).headers["ETag"]
    fsim.faults.cut(times=1)
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        gh(fsim, _commits(repo), token, **{"If-None-Match": etag})


# -- malformed ----------------------------------------------------------------------------


def test_malformed_truncated_json(fsim, token):
    repo = _repo(fsim, "github")
    good = gh(fsim, _commits(repo), token)
    fsim.faults.malformed(style="truncated", forge="github", times=1)

    r = gh(fsim, _commits(repo), token, **{"If-None-Match": good.headers["ETag"]})

    assert r.status_code == 200  # not a 304, even though the ETag matched
    assert good.text.startswith(r.text) and len(r.text) < len(good.text)
    with pytest.raises(ValueError):
        r.json()


def test_malformed_html(fsim, token):
    repo = _repo(fsim, "opencode")
    fsim.faults.malformed(style="html", forge="opencode", times=1)

    r = gl(fsim, _project_commits(repo), token, forge="opencode")

    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert r.text.lstrip().startswith("<!DOCTYPE html>")
    with pytest.raises(ValueError):
        r.json()
    assert "ETag" not in r.headers and "Link" not in r.headers


# -- vanished -----------------------------------------------------------------------------


def test_vanished_github_repository(fsim, token):
    repo, other = [r for r in fsim.world.repos if r.forge == "github" and r.commits][:2]
    fsim.faults.vanished(repo.path, forge="github")

    for rest in (f"/repos/{repo.path}", _commits(repo)):
        r = gh(fsim, rest, token)
        assert r.status_code == 404, rest
        assert r.json()["message"] == "Not Found"
    assert gh(fsim, f"/repos/{other.path}", token).status_code == 200
    # Its owner is still there (the listing still shows it: deleted between listing and fetching).
    assert gh(fsim, f"/orgs/{repo.account}", token).status_code == 200
    # Until cleared.
    assert gh(fsim, _commits(repo), token).status_code == 404
    fsim.faults.clear()
    assert gh(fsim, _commits(repo), token).status_code == 200


def test_vanished_github_account(fsim, token):
    account = next(a for a in fsim.world.accounts if a.forge == "github" and a.kind == "org" and fsim.world.repos_of("github", a.path))
    repo = fsim.world.repos_of("github", account.path)[0]
    fsim.faults.vanished(account.path)

    for rest in (f"/orgs/{account.path}", f"/orgs/{account.path}/repos", f"/repos/{repo.path}"):
        assert gh(fsim, rest, token).status_code == 404, rest
    assert fsim.requests["github GET /orgs/{login}/repos"] == 1


def test_vanished_gitlab_group_and_everything_under_it(fsim, token):
    groups = fsim.world.group_paths("opencode")
    sub = next(g for g in groups if "/" in g)
    inside = next(r for r in fsim.world.repos if r.forge == "opencode" and r.path.startswith(sub + "/"))
    outside = next(r for r in fsim.world.repos if r.forge == "opencode" and not r.path.startswith(sub + "/"))
    fsim.faults.vanished(sub, forge="opencode")

    r = gl(fsim, f"/groups/{quote(sub, safe='')}", token, forge="opencode")
    assert r.status_code == 404 and r.json() == {"message": "404 Group Not Found"}
    assert gl(fsim, f"/groups/{quote(sub, safe='')}/projects", token, forge="opencode").status_code == 404
    r = gl(fsim, _project_commits(inside), token, forge="opencode")
    assert r.status_code == 404 and r.json() == {"message": "404 Project Not Found"}
    # Addressed by numeric id, too.
    assert gl(fsim, f"/projects/{inside.id}", token, forge="opencode").status_code == 404
    group_id = gl(fsim, f"/groups/{quote(sub.split('/')[0], safe='')}/subgroups", token, forge="opencode").json()
    sub_id = next(g["id"] for g in group_id if g["full_path"] == sub)
    assert gl(fsim, f"/groups/{sub_id}", token, forge="opencode").status_code == 404
    # The parent group and its other projects are still there; the same path on another forge is untouched.
    assert gl(fsim, f"/groups/{quote(sub.split('/')[0], safe='')}", token, forge="opencode").status_code == 200
    assert gl(fsim, _project_commits(outside), token, forge="opencode").status_code == 200


# -- filters, times, clear ----------------------------------------------------------------


def test_filters_forge_endpoint_and_path(fsim, token):
    repo_a, repo_b = [r for r in fsim.world.repos if r.forge == "github" and r.commits][:2]
    gitlab_repo = _repo(fsim, "gitlab", nested=True)
    fsim.faults.server_error(status=500, forge="github", endpoint="/repos/{owner}/{repo}/commits", path=repo_a.path)
    fsim.faults.server_error(status=503, forge="gitlab", path=gitlab_repo.path)  # a decoded path matches %2F too

    assert gh(fsim, _commits(repo_a), token).status_code == 500
    assert gh(fsim, f"/repos/{repo_a.path}", token).status_code == 200  # other endpoint
    assert gh(fsim, _commits(repo_b), token).status_code == 200  # other path
    assert gl(fsim, _project_commits(gitlab_repo), token).status_code == 503
    assert gl(fsim, _project_commits(_repo(fsim, "opencode")), token, forge="opencode").status_code == 200  # other forge
    assert fsim.faults.fired["server_error"] == 2


def test_first_matching_fault_wins_and_times_count_down(fsim, token):
    repo = _repo(fsim, "github")
    first = fsim.faults.server_error(status=500, times=1)
    second = fsim.faults.secondary_limit(retry_after=0, times=2)

    codes = [gh(fsim, _commits(repo), token).status_code for _ in range(4)]

    assert codes == [500, 403, 403, 200]
    assert (first.fired, second.fired, first.times, second.times) == (1, 2, 0, 0)
    assert fsim.faults.active() == []


def test_times_none_lasts_until_cleared(fsim, token):
    repo = _repo(fsim, "github")
    fsim.faults.server_error(status=503)
    fsim.faults.malformed(forge="gitlab")

    assert [gh(fsim, _commits(repo), token).status_code for _ in range(5)] == [503] * 5
    fsim.faults.clear("server_error")
    assert gh(fsim, _commits(repo), token).status_code == 200
    assert len(fsim.faults.active()) == 1
    fsim.faults.clear()
    assert fsim.faults.active() == []
    assert gl(fsim, _project_commits(_repo(fsim, "gitlab")), token).json()


def test_faults_are_thread_safe(fsim, token):
    repo = _repo(fsim, "github")
    fsim.faults.server_error(status=502, times=5)
    codes: list[int] = []
    lock = threading.Lock()

    def worker():
        for _ in range(4):
            code = gh(fsim, _commits(repo), token).status_code
            with lock:
                codes.append(code)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(codes) == [200] * 19 + [502] * 5
    assert fsim.faults.fired["server_error"] == 5
    assert fsim.requests["github GET /repos/{owner}/{repo}/commits"] == 24


def test_etag_304_unaffected_when_no_fault_matches(fsim, token):
    repo = _repo(fsim, "github")
    fsim.faults.server_error(forge="gitlab")
    fsim.faults.cut(forge="github", endpoint="/orgs/{login}/repos")
    fsim.faults.vanished("no-such-account/x")

    first = gh(fsim, _commits(repo), token)
    again = gh(fsim, _commits(repo), token, **{"If-None-Match": first.headers["ETag"]})

    assert first.status_code == 200 and again.status_code == 304
    assert again.headers["ETag"] == first.headers["ETag"]
    # A 304 costs no budget.
    assert again.headers["X-RateLimit-Remaining"] == first.headers["X-RateLimit-Remaining"]
    assert fsim.not_modified["github GET /repos/{owner}/{repo}/commits"] == 1
    assert sum(fsim.faults.fired.values()) == 0


def test_invalid_faults_are_refused(fsim):
    with pytest.raises(ValueError):
        fsim.faults.add("meteor")
    with pytest.raises(ValueError):
        fsim.faults.server_error(status=404)
    with pytest.raises(ValueError):
        fsim.faults.slow(forge="bitbucket")
    with pytest.raises(ValueError):
        fsim.faults.cut(times=0)


# -- control over HTTP --------------------------------------------------------------------


def test_faults_over_http(fsim, token):
    repo = _repo(fsim, "github")
    url = f"{fsim.base_url}/_sim/faults"

    created = requests.post(url, json={"kind": "server_error", "status": 503, "forge": "github", "times": 1}, timeout=5)
    assert created.status_code == 201 and created.json()["kind"] == "server_error"
    many = requests.post(url, json=[{"kind": "slow", "delay": 0.01}, {"kind": "vanished", "target": repo.path}], timeout=5)
    assert [f["kind"] for f in many.json()] == ["slow", "vanished"]
    assert requests.post(url, json={"kind": "meteor"}, timeout=5).status_code == 400
    assert requests.post(url, data=b"{not json", timeout=5).status_code == 400

    assert gh(fsim, _commits(repo), token).status_code == 503
    listed = requests.get(url, timeout=5).json()
    assert [f["kind"] for f in listed["active"]] == ["slow", "vanished"]
    assert listed["fired"] == {"server_error": 1, "vanished": 1}  # the 503 came first; the repo is gone too
    assert requests.get(f"{fsim.base_url}/_sim/stats", timeout=5).json()["faults_fired"]["server_error"] == 1

    assert requests.delete(url, timeout=5).status_code == 204
    assert fsim.faults.active() == []
    assert gh(fsim, _commits(repo), token).status_code == 200


# -- reset headers on errors, bad fields, reflected credentials --------------------------------


@pytest.mark.parametrize(("forge", "header"), [("github", "X-RateLimit-Reset"), ("gitlab", "RateLimit-Reset")])
def test_server_error_with_reset_in_sends_the_reset_an_hour_away(fsim, token, forge, header):
    repo = _repo(fsim, forge)
    fsim.faults.server_error(status=503, reset_in=3600, forge=forge, times=1)

    answer = gh(fsim, _commits(repo), token) if forge == "github" else gl(fsim, _project_commits(repo), token)

    assert answer.status_code == 503
    assert 3590 <= int(answer.headers[header]) - time.time() <= 3610
    assert "Retry-After" not in answer.headers


def test_bad_field_rewrites_one_value_of_one_entry(fsim, token):
    repo = _repo(fsim, "github")
    clean = gh(fsim, _commits(repo), token).json()
    fsim.faults.bad_field(field="commit.author.date", value="2013-09-30T13: 46: 02Z", index=1,
                          endpoint="/repos/{owner}/{repo}/commits", times=1)

    bad = gh(fsim, _commits(repo), token)
    again = gh(fsim, _commits(repo), token).json()

    assert bad.status_code == 200
    body = bad.json()
    assert body[1]["commit"]["author"]["date"] == "2013-09-30T13: 46: 02Z"
    assert body[0] == clean[0] and body[2:] == clean[2:]
    assert again == clean  # the world itself is untouched
    assert fsim.faults.fired["bad_field"] == 1


def test_bad_field_on_an_object_answer_and_with_any_json_value(fsim, token):
    repo = _repo(fsim, "gitlab")
    fsim.faults.bad_field(field="star_count", value="many", endpoint="/projects/:id", times=1)

    answer = gl(fsim, f"/projects/{quote(repo.path, safe='')}", token)

    assert answer.json()["star_count"] == "many"


@pytest.mark.parametrize(("forge", "status"), [("github", 401), ("github", 502), ("gitlab", 403), ("opencode", 500)])
def test_reflect_echoes_the_credentials_header(fsim, token, forge, status):
    repo = _repo(fsim, forge)
    fsim.faults.reflect(status=status, forge=forge, times=1)

    if forge == "github":
        answer = gh(fsim, _commits(repo), token)
    else:
        answer = requests.get(f"{fsim.base_url}/{forge}/api/v4{_project_commits(repo)}",
                              headers={"PRIVATE-TOKEN": token}, timeout=5)

    assert answer.status_code == status
    header = "Authorization" if forge == "github" else "PRIVATE-TOKEN"
    assert f"{header}: {token}" in answer.json()["message"]
    assert fsim.faults.fired["reflect"] == 1


def test_new_faults_refuse_bad_parameters(fsim):
    with pytest.raises(ValueError):
        fsim.faults.reflect(status=200)
    with pytest.raises(ValueError):
        fsim.faults.bad_field(field="")
