"""The schedule refuses to crawl the live sites without a contact; the config's top-level
`contact` gives every job one."""

from __future__ import annotations

from pathlib import Path

import pytest

from archiver.errors import ArchiverError
from archiver.schedule import DEFAULT_CONFIG, load_jobs
from archiver.schedule.config import parse_jobs
from archiver.schedule.runner import crawl_command, crawl_settings, require_contacts

pytestmark = pytest.mark.unit

JOB = '[[job]]\nsite = "chinadaily"\ncron = "5 * * * *"\n'


def test_the_default_schedule_refuses_to_run_without_a_contact() -> None:
    jobs = load_jobs(None)
    with pytest.raises(ArchiverError) as refused:
        require_contacts(jobs)
    message = str(refused.value)
    assert "without a contact (chinadaily-latest, globaltimes-latest" in message
    assert "archiver schedule --print-config > jobs.toml" in message
    assert 'contact = "you@example.org"' in message


def test_a_config_without_contact_is_named_in_the_refusal(tmp_path: Path) -> None:
    config = tmp_path / "jobs.toml"
    config.write_text(DEFAULT_CONFIG, encoding="utf-8")
    with pytest.raises(ArchiverError, match=f"at the top of {config}"):
        require_contacts(load_jobs(config), config)


def test_the_printed_default_with_its_contact_filled_in_runs(tmp_path: Path) -> None:
    config = tmp_path / "jobs.toml"
    assert '\ncontact = ""\n' in DEFAULT_CONFIG
    config.write_text(DEFAULT_CONFIG.replace('contact = ""', 'contact = "ops@example.org"'))
    jobs = load_jobs(config)
    require_contacts(jobs, config)
    for job in jobs:
        assert crawl_settings(job)["ARCHIVER_CONTACT"] == "ops@example.org"
        assert "ARCHIVER_CONTACT=ops@example.org" in crawl_command(job, tmp_path)


def test_a_jobs_own_contact_wins_and_mirror_jobs_need_none() -> None:
    own = parse_jobs(
        f'contact = "all@example.org"\n{JOB}[job.settings]\nARCHIVER_CONTACT = "cd@example.org"\n'
    )
    assert own[0].settings["ARCHIVER_CONTACT"] == "cd@example.org"
    mirror = parse_jobs(f'{JOB}[job.settings]\nARCHIVER_MIRROR = "http://127.0.0.1:8000"\n')
    require_contacts(mirror)
    with pytest.raises(ArchiverError):
        require_contacts(parse_jobs(f'contact = "  "\n{JOB}'))
    with pytest.raises(ArchiverError, match="contact: an e-mail or URL"):
        parse_jobs(f"contact = 3\n{JOB}")
    with pytest.raises(ArchiverError, match="job 1: settings: Input should be a valid dict"):
        parse_jobs(f'contact = "all@example.org"\n{JOB}settings = "x"\n')
