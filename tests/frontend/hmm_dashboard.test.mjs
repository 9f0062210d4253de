// node --test: the dashboard strategy module (run by tests/frontend/test_js.py).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  HomeMinerManagerDashboardStrategy,
  ensureDashboard,
} from "../../custom_components/home_miner_manager/frontend/hmm-dashboard.js";

const OFFER = {
  url_path: "home-miner-manager",
  title: "Home Miner Manager",
  icon: "mdi:pickaxe",
  strategy: "custom:home-miner-manager",
  create: true,
};

function fakeHass({ admin = true, offer = OFFER, dashboards = [] } = {}) {
  const calls = [];
  return {
    calls,
    user: { is_admin: admin },
    async callWS(msg) {
      calls.push(msg);
      switch (msg.type) {
        case "home_miner_manager/dashboard/offer":
          if (offer === null) throw new Error("unknown command");
          return offer;
        case "home_miner_manager/dashboard/config":
          return { title: "Home Miner Manager", views: [] };
        case "lovelace/dashboards/list":
          return dashboards;
        default:
          return null;
      }
    },
  };
}

test("generate returns the integration's configuration", async () => {
  const hass = fakeHass();
  const config = await HomeMinerManagerDashboardStrategy.generate({}, hass);
  assert.deepEqual(config, { title: "Home Miner Manager", views: [] });
  assert.deepEqual(hass.calls, [{ type: "home_miner_manager/dashboard/config" }]);
});

test("creates the dashboard once for an administrator", async () => {
  const hass = fakeHass();
  assert.equal(await ensureDashboard(hass), true);
  assert.deepEqual(
    hass.calls.map((msg) => msg.type),
    [
      "home_miner_manager/dashboard/offer",
      "lovelace/dashboards/list",
      "lovelace/dashboards/create",
      "lovelace/config/save",
      "home_miner_manager/dashboard/created",
    ],
  );
  assert.equal(hass.calls[2].url_path, "home-miner-manager");
  assert.deepEqual(hass.calls[3].config, {
    strategy: { type: "custom:home-miner-manager" },
  });
});

test("never writes over a dashboard that already uses the url", async () => {
  const hass = fakeHass({ dashboards: [{ url_path: "home-miner-manager" }] });
  await ensureDashboard(hass);
  const types = hass.calls.map((msg) => msg.type);
  assert.ok(!types.includes("lovelace/dashboards/create"));
  assert.ok(!types.includes("lovelace/config/save"));
});

test("does nothing when not offered, not admin, or no integration", async () => {
  for (const hass of [
    fakeHass({ offer: { ...OFFER, create: false } }),
    fakeHass({ admin: false }),
    fakeHass({ offer: null }),
  ]) {
    assert.equal(await ensureDashboard(hass), false);
    assert.ok(hass.calls.every((msg) => !msg.type.startsWith("lovelace/")));
  }
});
