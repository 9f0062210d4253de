"""Avalon Nano 3 / Nano 3S state and the cgminer reply bodies (devices.md §3)."""

from __future__ import annotations

import hashlib
import re
import time
from typing import TYPE_CHECKING, Any

from .avalon_profiles import PROFILES, AvalonProfile, ModeSpec, nano3_password_token
from .mining import MiningCounters

if TYPE_CHECKING:
    import random

__all__ = [
    "PROFILES",
    "AvalonDevice",
    "AvalonProfile",
    "ModeSpec",
    "nano3_password_token",
]


class AvalonDevice:
    """Mode, pools, counters and calibration state of one Nano."""

    def __init__(
        self, profile: AvalonProfile, rng: random.Random, web_password: str
    ) -> None:
        """Start in the profile's default mode on public-pool.io."""
        self.profile = profile
        self.rng = rng
        self.mode = profile.default_mode
        self.worklevel = 0 if profile.mode_key == "workmode" else profile.default_mode
        self.calibrating = False
        self.fan_percent: int | None = None  # None = auto
        self.web_password_hash = hashlib.sha256(web_password.encode()).hexdigest()
        self.web_password = web_password
        tag = profile.name
        self.pools: list[dict[str, str]] = [
            {
                "url": "stratum+tcp://public-pool.io:21496",
                "user": f"bc1qsimwallet.{tag}",
                "password": "x",
            },
            {
                "url": "stratum+tcp://solo.ckpool.org:3333",
                "user": f"bc1qsimwallet.{tag}",
                "password": "x",
            },
            {"url": "", "user": "", "password": ""},
        ]
        self.pending_pools = [dict(p) for p in self.pools]
        self.active = 0  # index of the pool in use (priority 0)
        self.counters = MiningCounters(
            rng=rng,
            uptime_offset=133923.0,
            accepted=2612,
            rejected=2,
            best_session=224199508.0,
            best_ever=224199508.0,
            pool_difficulty=40000.0,
        )
        self.ghs = 0.0
        self.tick()

    @property
    def spec(self) -> ModeSpec:
        """The running mode."""
        return self.profile.modes[self.mode]

    @property
    def watts(self) -> int:
        """Wall power: close to the mode's power limit."""
        return round(self.spec.watts * self.ghs / self.spec.ghs)

    @property
    def chip_temp(self) -> int:
        """Max chip temperature holds near the mode's target."""
        return (
            self.spec.target_temp + 5
            if self.profile.name == "nano3s"
            else self.spec.target_temp + 2
        )

    def tick(self) -> None:
        """One status read."""
        self.ghs = round(self.spec.ghs * self.rng.uniform(0.97, 1.02), 2)
        self.counters.tick(self.ghs)

    def boot(self) -> None:
        """Reboot: ``setpool`` changes become the running pools."""
        self.pools = [dict(p) for p in self.pending_pools]
        self.active = 0
        self.counters.reboot()
        self.tick()

    def password_ok(self, user: str, password: str) -> bool:
        """``setpool`` credential check: 3S compares sha256(pass); Nano 3 a token."""
        if user != self.profile.web_user:
            return False
        if self.profile.name == "nano3":
            return password == nano3_password_token(self.web_password)
        return hashlib.sha256(password.encode()).hexdigest() == self.web_password_hash

    # -- reply bodies --------------------------------------------------------

    def version(self) -> dict[str, Any]:
        """VERSION[0]."""
        p = self.profile
        return {
            "CGMiner": "4.11.1",
            "API": "3.7",
            "PROD": p.prod,
            "MODEL": p.model,
            "HWTYPE": p.hwtype,
            "SWTYPE": p.swtype,
            "LVERSION": p.firmware,
            "BVERSION": p.firmware,
            "CGVERSION": p.firmware,
            "DNA": p.dna,
            "MAC": p.mac,
            "UPAPI": "2",
        }

    def summary(self) -> dict[str, Any]:
        """SUMMARY[0] (hashrates in MH/s)."""
        c = self.counters
        mhs = self.ghs * 1000.0
        diff_acc = c.accepted * c.pool_difficulty
        return {
            "Elapsed": c.uptime,
            "MHS av": round(mhs * 0.995, 2),
            "MHS 5s": round(mhs * 1.01, 2),
            "MHS 1m": round(mhs, 2),
            "MHS 5m": round(mhs * 0.99, 2),
            "MHS 15m": round(mhs * 0.998, 2),
            "Found Blocks": 0,
            "Getworks": 8828,
            "Accepted": c.accepted,
            "Rejected": c.rejected,
            "Hardware Errors": 0,
            "Utility": 1.17,
            "Discarded": 0,
            "Stale": 14,
            "Get Failures": 0,
            "Local Work": 44544,
            "Remote Failures": 0,
            "Network Blocks": 170,
            "Total MH": round(mhs * c.uptime, 1),
            "Work Utility": 90000.1,
            "Difficulty Accepted": diff_acc,
            "Difficulty Rejected": c.rejected * c.pool_difficulty,
            "Difficulty Stale": 0.0,
            "Best Share": int(c.best_session),
            "Device Hardware%": 0.0,
            "Device Rejected%": 0.0861,
            "Pool Rejected%": 0.0875,
            "Pool Stale%": 0.2778,
            "Last getwork": 0,
        }

    def mm_string(self) -> str:
        """``MM ID0``: one string of ``Key[value]`` tokens (real dumps, §3.4)."""
        p = self.profile
        s = self.spec
        c = self.counters
        t_max = self.chip_temp
        fan_pct = (
            self.fan_percent if self.fan_percent is not None else 33 + (self.mode * 5)
        )
        pvt_t = " ".join(str(t_max - (i % 6)) for i in range(p.asics))
        pvt_v = " ".join(str(296 + (i * 7) % 11) for i in range(p.asics))
        mw = " ".join(str(283 + (i * 13) % 56) for i in range(p.asics))
        ghs = f"{self.ghs:.2f}"
        tokens: list[tuple[str, str]]
        if p.name == "nano3s":
            tokens = [
                ("Ver", p.ver),
                ("LVer", p.firmware),
                ("BVer", p.firmware),
                ("FW", "Release"),
                ("LED", "0-0"),
                ("LEDUser", "0-100-100-5-0-255"),
                ("LcdOnoff", "1"),
                ("LcdSwitch", "2"),
                ("DNA", p.dna),
                ("MEMFREE", "63728"),
                ("PFCnt", "0"),
                ("NETFAIL", "0 0 0 0 0 0 0 0"),
                ("SYSTEMSTATU", "Work: In Work, Hash Board: 1"),
                ("Elapsed", str(c.uptime)),
                ("BOOTBY", "0x01.00000000"),
                ("LW", "7753951"),
                ("MH", "0"),
                ("DHW", "0"),
                ("HW", "0"),
                ("DH", "2.374%"),
                ("ITemp", "-273"),
                ("OTemp", str(t_max - 30)),
                ("TMax", str(t_max)),
                ("TAvg", str(t_max - 5)),
                ("TarT", str(s.target_temp)),
                ("Fan1", str(1200 + fan_pct * 10)),
                ("FanR", f"{fan_pct}%"),
                ("PS", f"0 0 27541 4 0 {s.volt} {self.watts}"),
                ("GHSspd", ghs),
                ("DHspd", "2.374%"),
                ("GHSmm", f"{s.ghs:.2f}"),
                ("GHSavg", f"{s.ghs * 0.987:.2f}"),
                ("WU", "93530.53"),
                ("Freq", f"{s.freq:.2f}"),
                ("MGHS", f"{s.ghs * 0.987:.2f}"),
                ("MTmax", str(t_max)),
                ("MTavg", str(t_max - 5)),
                ("TA", str(p.asics)),
                ("Core", p.core),
                ("BIN", "60"),
                ("PING", "78"),
                ("SoftOFF", "0"),
                ("ECHU", "0"),
                ("ECMM", "0"),
                ("PLL0", "499 254 423 648"),
                ("SF0", "432 450 471 492"),
                ("PVT_T0", pvt_t),
                ("PVT_V0", pvt_v),
                ("MW0", mw),
                ("CRC", "0"),
                ("COMCRC", "0"),
                (f"ATA{self.mode}", f"{s.watts}-{s.target_temp}-{s.volt}-432-20"),
                ("WORKMODE", str(self.mode)),
                ("WORKLEVEL", str(self.worklevel)),
                ("MPO", str(s.watts)),
                ("CALIALL", "7"),
            ]
        else:
            tokens = [
                ("HashStatus", "1"),
                ("Ver", p.ver),
                ("HVer", "24071801_b906c52_6223725"),
                ("DNA", "0000000000000000"),
                ("HDNA", p.dna),
                ("PFCnt", "0"),
                ("NETFAIL", "0 0 0 0 0 0 0 0"),
                ("Elapsed", str(c.uptime)),
                ("LW", "2540537"),
                ("MH", "148"),
                ("DHW", "0"),
                ("HW", "148"),
                ("DH", "1.474%"),
                ("Temp", "52"),
                ("OTemp", "45"),
                ("TMax", str(t_max)),
                ("TAvg", str(t_max - 2)),
                ("TarT", str(s.target_temp)),
                ("Fan1", str(1200 + fan_pct * 50)),
                ("FanR", f"{fan_pct}%"),
                ("Vo", "0"),
                ("PS", f"0 0 0 3 2780 {self.watts + 2} {s.volt}"),
                ("GHSspd", ghs),
                ("DHspd", "1.474%"),
                ("GHSmm", f"{s.ghs:.2f}"),
                ("GHSavg", f"{s.ghs * 0.9:.2f}"),
                ("WU", "42534.25"),
                ("Freq", "0.00"),
                ("Led", "0"),
                ("MGHS", f"{s.ghs * 0.9:.2f}"),
                ("MTmax", str(t_max)),
                ("MTavg", str(t_max - 2)),
                ("TA", str(p.asics)),
                ("Core", p.core),
                ("PING", "166"),
                ("SoftOFF", "0"),
                ("ECHU", "0"),
                ("ECMM", "0"),
                ("PLL0", "0 258 321 1191"),
                ("SF0", "100 447 467 487"),
                ("PVT_T0", pvt_t),
                ("PVT_V0", pvt_v),
                ("MW0", mw),
                ("CRC", "0"),
                *(
                    (
                        f"ATA{i}",
                        f"{m.watts}-{m.target_temp}-{m.volt}-100:{int(m.freq) - 20}:{int(m.freq)}:{int(m.freq) + 20}",
                    )
                    for i, m in enumerate(p.modes)
                ),
                ("WORKLEVEL", str(self.mode)),
                ("MPO", str(s.watts)),
            ]
        tokens.append(("ADJ", "0" if self.calibrating else "1"))
        if self.calibrating:
            tokens.append(("BAR", "37"))
        return " ".join(f"{key}[{value}]" for key, value in tokens)

    def stats(
        self, *, absurd: bool = False, with_pools: bool = False
    ) -> list[dict[str, Any]]:
        """STATS list for ``estats`` (and ``stats``, which appends per-pool blocks)."""
        mm = self.mm_string()
        if absurd:
            mm = absurd_mm(mm)
        items: list[dict[str, Any]] = [
            {
                "STATS": 0,
                "ID": self.profile.stats_id,
                "Elapsed": self.counters.uptime,
                "Calls": 0,
                "Wait": 0.0,
                "Max": 0.0,
                "Min": 99999999.0,
                "MM ID0": mm,
                "MM Count": 1,
                "Nonce Mask": 25,
            }
        ]
        if with_pools:
            items.extend(
                {
                    "STATS": i + 1,
                    "ID": f"POOL{i}",
                    "Elapsed": self.counters.uptime,
                    "Calls": 0,
                    "Wait": 0.0,
                    "Max": 0.0,
                    "Min": 99999999.0,
                    "Pool Calls": 0,
                    "Pool Attempts": 0,
                    "Pool Wait": 0.0,
                    "Work Diff": 40000.0,
                    "Times Sent": 1200,
                    "Bytes Sent": 150000,
                    "Times Recv": 1300,
                    "Bytes Recv": 420000,
                }
                for i, pool in enumerate(self.pools)
                if pool["url"]
            )
        return items

    def pools_list(self) -> list[dict[str, Any]]:
        """POOLS[]: configured slots; the active one carries the share counters."""
        now = int(time.time())
        out: list[dict[str, Any]] = []
        c = self.counters
        for i, pool in enumerate(self.pools):
            if not pool["url"]:
                continue
            active = i == self.active
            host = pool["url"].split("://", 1)[-1].rsplit(":", 1)[0]
            out.append(
                {
                    "POOL": i,
                    "URL": pool["url"],
                    "Status": "Alive",
                    "Priority": 0 if active else (i + 1 if i < self.active else i),
                    "Quota": 1,
                    "Long Poll": "N",
                    "Getworks": 8828 if active else 0,
                    "Accepted": c.accepted if active else 0,
                    "Rejected": c.rejected if active else 0,
                    "Works": 1234567 if active else 0,
                    "Discarded": 0,
                    "Stale": 14 if active else 0,
                    "Get Failures": 0,
                    "Remote Failures": 0,
                    "User": pool["user"],
                    "Last Share Time": now if active else 0,
                    "Diff1 Shares": 0,
                    "Proxy Type": "",
                    "Proxy": "",
                    "Difficulty Accepted": c.accepted * c.pool_difficulty
                    if active
                    else 0.0,
                    "Difficulty Rejected": 0.0,
                    "Difficulty Stale": 0.0,
                    "Last Share Difficulty": 40000.0 if active else 0.0,
                    "Work Difficulty": 40000.0 if active else 0.0,
                    "Has Stratum": True,
                    "Stratum Active": active,
                    "Stratum URL": host if active else "",
                    "Stratum Difficulty": 40000.0 if active else 0.0,
                    "Has Vmask": True,
                    "Has GBT": False,
                    "Best Share": int(c.best_session) if active else 0,
                    "Pool Rejected%": 0.0875,
                    "Pool Stale%": 0.2778,
                    "Bad Work": 0,
                    "Current Block Height": 912345,
                    "Current Block Version": 536870912,
                }
            )
        return out

    def lcd(self) -> dict[str, Any]:
        """LCD[0] (GH/s)."""
        c = self.counters
        pool = self.pools[self.active]
        return {
            "Elapsed": c.uptime,
            "GHS av": round(self.ghs * 0.995, 2),
            "GHS 5m": round(self.ghs * 0.99, 2),
            "GHS 5s": self.ghs,
            "Temperature": 0.0,
            "Last Share Difficulty": 40000.0,
            "Last Share Time": int(time.time()),
            "Best Share": int(c.best_session),
            "Last Valid Work": int(time.time()),
            "Found Blocks": 0,
            "Current Pool": pool["url"],
            "User": pool["user"],
        }


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def absurd_mm(mm: str) -> str:
    """Make every number inside the MM string impossible."""
    values = ("-1234.5", "nan", "1e300", "-1")
    counter = iter(range(1_000_000))
    return _NUMBER.sub(lambda _m: values[next(counter) % len(values)], mm)
