"""Application-level behaviour: security headers, health check, plugins, templates' hygiene."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.console import CSP, STORE, create_app, csrf_exempt
from bot.console.__main__ import resolve_plugins
from bot.tickets import Role

TEMPLATES = Path(__file__).resolve().parents[2] / "bot" / "console" / "templates"


def assert_security_headers(response, *, no_store: bool = True) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    if no_store:
        assert response.headers["Cache-Control"] == "no-store"


async def test_security_headers_everywhere(
    client: TestClient, login, make_user, make_ticket, store
) -> None:
    make_user("coord", Role.COORDINATOR)
    ticket = make_ticket()
    token = store.create_api_token("coord").token
    assert_security_headers(await client.get("/login"))
    assert_security_headers(await client.get("/no-such-page"))
    assert_security_headers(await client.get("/api/tickets"))
    assert_security_headers(
        await client.get("/api/tickets", headers={"Authorization": f"Bearer {token}"})
    )
    await login("coord")
    assert_security_headers(await client.get("/"))
    assert_security_headers(await client.get(f"/tickets/{ticket.reference}"))
    assert_security_headers(await client.post("/logout", data={}))  # 403 page too
    css = await client.get("/static/console.css")
    assert css.status == 200
    assert_security_headers(css, no_store=False)


async def test_healthz(client: TestClient) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.text() == "ok"


async def test_error_pages_are_plain_japanese(client: TestClient) -> None:
    response = await client.get("/no-such-page")
    assert response.status == 404
    assert "ページが見つかりません" in await response.text()


def test_templates_have_no_inline_script_style_or_safe_filter() -> None:
    for template in TEMPLATES.glob("*.html"):
        source = template.read_text(encoding="utf-8")
        assert "<script" not in source, template.name
        assert "style=" not in source and "<style" not in source, template.name
        assert "|safe" not in source.replace(" ", ""), template.name
        assert "http://" not in source and "https://" not in source, template.name  # no CDN


async def test_plugins_add_routes_and_can_opt_out_of_csrf(aiohttp_client, settings, store) -> None:
    seen: list[object] = []

    @csrf_exempt
    async def hook(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def page(request: web.Request) -> web.Response:
        seen.append(request.app[STORE])
        return web.Response(text="residents' page")

    def plugin(app: web.Application) -> None:
        app.router.add_get("/chat", page)
        app.router.add_post("/chat/webhook", hook)
        app.router.add_post("/chat/form", page)
        app[CSP] = "default-src 'self'; connect-src 'self'"

    client = await aiohttp_client(create_app(settings, store, plugins=[plugin]))
    response = await client.get("/chat")
    assert await response.text() == "residents' page"
    assert response.headers["Content-Security-Policy"] == "default-src 'self'; connect-src 'self'"
    assert seen == [store]
    assert (await client.post("/chat/webhook", json={})).status == 200
    assert (await client.post("/chat/form", data={})).status == 403  # not exempt: CSRF applies


def test_resolve_plugins() -> None:
    (plugin,) = resolve_plugins(["bot.console.app:setup_routes"])
    from bot.console.app import setup_routes

    assert plugin is setup_routes


async def test_create_app_builds_its_own_store_from_settings(
    aiohttp_client, settings, store
) -> None:
    """Without a store, the URL from settings is used (the database is already migrated)."""
    client = await aiohttp_client(create_app(settings))
    assert (await client.get("/login")).status == 200
