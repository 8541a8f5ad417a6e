"""Settings, in one place: read from the environment (prefix MENTORDIR_) once and passed in."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CATALOG = ROOT / "data" / "programs.yaml"
SYNONYMS = ROOT / "data" / "synonyms.yaml"
WORDFORMS = ROOT / "data" / "wordforms.yaml"
INTENTS = ROOT / "data" / "intents.yaml"
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "app" / "static"
RECHECK_MONTHS = 12  # the default of `recheck_months`, for what is built without Settings (a bare search index)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MENTORDIR_", extra="ignore")

    catalog: Path = Field(BUNDLED_CATALOG, description="Path of the catalog YAML.")
    database_url: str = Field(
        f"sqlite:///{ROOT / 'var' / 'mentordir.db'}",
        description="SQLAlchemy URL of the database (SQLite file by default; postgresql+psycopg://... for PostgreSQL).",
    )
    index_dir: Path = Field(ROOT / "var" / "index", description="Where the search index is kept on disk.")
    max_catalog_mb: float = Field(32, gt=0, description="Largest catalog file accepted, in MiB.")
    max_programs: int = Field(
        10_000, ge=1, le=1_000_000, description="Most programs a catalog file may list (larger files are refused)."
    )
    host: str = Field("127.0.0.1", description="Address `mentordir serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `mentordir serve` binds to.")
    base_url: str = Field(
        "",
        pattern=r"^(https?://[^/\s?#@]+(/[^\s?#]*)?)?$",
        description="Public base URL (https://host) used in every absolute link (empty: taken from each request).",
    )
    idle_timeout_seconds: int = Field(
        5, ge=1, le=300, description="Seconds `mentordir serve` keeps a connection open without a complete request."
    )
    admin_token: SecretStr | None = Field(
        None, description="Token for the admin endpoints, reload and suggestions (off when unset)."
    )
    watch: bool = Field(True, description="Reload the catalog when its file changes.")
    watch_debounce_ms: int = Field(
        200, ge=10, le=10_000, description="Quiet time after a change to the catalog file before it is reloaded."
    )
    watch_settle_ms: int = Field(
        1000,
        ge=0,
        le=60_000,
        description="How long the catalog file's size, modification time and inode must stay unchanged before a "
        "changed file is read (and it is read again if it changed while read).",
    )
    hold_removals_percent: float = Field(
        10,
        ge=0,
        le=100,
        description="A load that would remove more than this percentage of the stored programs (and more than "
        "`hold_removals_min`) is held until a curator confirms it (100: never held).",
    )
    hold_removals_min: int = Field(
        5, ge=0, le=1_000_000, description="A load that removes this many programs or fewer is never held."
    )
    watch_poll_seconds: float = Field(
        2.0, ge=0.2, le=300, description="How often the catalog file is also checked, for changes that events missed."
    )
    follow: bool = Field(
        False,
        description="Replica mode: serve the catalog the database holds (written by `mentordir load`), not the file.",
    )
    follow_poll_seconds: float = Field(
        1.0, ge=0.1, le=3600, description="How often each worker and replica checks the database for a newer load."
    )
    response_cache: int = Field(
        2048, ge=0, le=1_000_000, description="Responses kept in memory per worker for repeated requests (0: off)."
    )
    threads: int = Field(8, ge=1, le=256, description="Threads per worker for searches and page rendering.")
    workers: int = Field(1, ge=1, le=64, description="Worker processes for `mentordir serve`.")
    trusted_hosts: str = Field("*", description="Comma-separated Host names to answer for ('*': any).")
    forwarded_allow_ips: str = Field(
        "", description="Comma-separated proxy addresses whose X-Forwarded-* headers are trusted (empty: none)."
    )
    snapshots_kept: int = Field(
        7, ge=1, le=365, description="Dated snapshots of the whole catalog kept for download (/api/v1/snapshots)."
    )
    recheck_months: int = Field(
        RECHECK_MONTHS, ge=1, le=120, description="Months after its last check that an entry is due for a fresh check."
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Signs the links `mentordir recheck --send` and email alerts mail (off when unset), and the forms' "
        "CSRF tokens (unset: a random key kept in the database).",
    )
    link_days: int = Field(30, ge=1, le=365, description="Days a mailed confirmation link works.")
    smtp_url: str = Field(
        "",
        pattern=r"^((smtp|smtps)://([^@/\s]+@)?[^/\s:@]+(:\d{1,5})?/?)?$",
        description="smtp://[user:password@]host[:port] (smtps:// for TLS) to send mail; empty: mail goes to the "
        "outbox (`mentordir outbox`).",
    )
    mail_from: str = Field(
        "Mentor Directory <curators@localhost>", max_length=200, description="The From address of the mail sent."
    )
    log_level: str = Field("info", pattern="^(critical|error|warning|info|debug)$", description="Logging level.")

    @property
    def allowed_hosts(self) -> list[str]:
        return [h.strip() for h in self.trusted_hosts.split(",") if h.strip()] or ["*"]

    @property
    def max_catalog_bytes(self) -> int:
        return int(self.max_catalog_mb * 1024 * 1024)
