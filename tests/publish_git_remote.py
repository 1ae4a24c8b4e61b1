"""Git remotes on the local filesystem for the publishing tests, and ways to read them."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path

#: Who the tests are when they commit as "someone else".
OTHER = {
    "GIT_AUTHOR_NAME": "Someone Else",
    "GIT_AUTHOR_EMAIL": "else@example.invalid",
    "GIT_COMMITTER_NAME": "Someone Else",
    "GIT_COMMITTER_EMAIL": "else@example.invalid",
}


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **OTHER, "GIT_TERMINAL_PROMPT": "0"},
        capture_output=True,
        check=True,
    )
    return done.stdout.decode()


def bare_remote(path: Path) -> Path:
    path.mkdir(parents=True)
    git("init", "-q", "--bare", "-b", "main", cwd=path)
    # As GitHub does: a fresh disk fetches only the blobs a run reads.
    git("config", "uploadpack.allowFilter", "true", cwd=path)
    return path


def remote_files(remote: Path, branch: str = "main") -> dict[str, bytes]:
    """Every file of the branch's tip, by path."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", branch], cwd=remote, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return {
            member.name: tar.extractfile(member).read()  # type: ignore[union-attr]
            for member in tar.getmembers()
            if member.isfile()
        }


def commit_subjects(repository: Path, rev: str = "main") -> list[str]:
    """Subjects of the branch's commits, newest first; [] when it has none."""
    done = subprocess.run(
        ["git", "log", "--format=%s", rev], cwd=repository, capture_output=True, check=False
    )
    return done.stdout.decode().splitlines() if done.returncode == 0 else []


def files_of_commit(repository: Path, rev: str = "main") -> set[str]:
    return set(git("show", "--name-only", "--format=", rev, cwd=repository).split())


def push_other_commit(remote: Path, work: Path, path: str, content: str) -> None:
    """Someone else pushes a commit that writes ``path``: the remote moves."""
    git("clone", "-q", str(remote), str(work), cwd=remote.parent)
    target = work / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, "utf-8")
    git("add", path, cwd=work)
    git("commit", "-q", "-m", f"other: {path}", cwd=work)
    git("push", "-q", "origin", "HEAD:main", cwd=work)


def refuse_pushes(remote: Path, refuse: bool = True) -> None:
    """A pre-receive hook that declines every push (or remove it)."""
    hook = remote / "hooks" / "pre-receive"
    if refuse:
        hook.write_text("#!/bin/sh\necho 'pushes are frozen today' >&2\nexit 1\n")
        hook.chmod(0o755)
    else:
        hook.unlink()


def site_files(site: Path) -> dict[str, bytes]:
    """The tree under ``site`` as readers get it: without the .git folder."""
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(site).parts
    }
