"""Publish the tree with git: commit what changed, push it to a remote branch.

Before the crawl writes, SITE_DIR becomes a work tree of its own holding the
remote branch: a missing or empty folder gets the branch's files, a folder
that holds only a mirror tree gets the files it lacks (its own files win),
a work tree is used as it is. After a finished crawl, ``git status`` says
what changed; those files are committed with a message naming the new
articles and pushed. A push rejected because the branch moved is retried
once after a rebase; any other failure keeps the commit for the next run.

A missing or empty SITE_DIR (a fresh disk) gets only what a run reads: a
shallow, blobless fetch of the branch's tip, and a sparse checkout of the
crawl state, indexes, feeds, home page and the records the feeds show
(``mirror.tree.RUN_INPUTS``). The other published paths are listed in
``mirror.tree.PUBLISHED_ONLY``, so the tree still knows them without their
bytes; :meth:`GitPublisher.restore_all` brings them (``scrapy render``).

Publishing only adds and updates: a file deleted from the tree is restored
from the last commit, never deleted from the remote. The remote URL may
carry a token: git gets it from the environment (a ``url.insteadOf`` rule),
never from the command line or ``.git/config``, and every message is masked.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from pathlib import Path

from goodnews_scraper.mirror.tree import PUBLISHED_ONLY, RUN_INPUTS, MirrorTree
from goodnews_scraper.publishing.base import (
    PublishError,
    PublishResult,
    is_tree_file,
    write_published_only,
)
from goodnews_scraper.publishing.redact import mask_url, redact, strip_credentials, url_secrets
from goodnews_scraper.publishing.summary import commit_message
from goodnews_scraper.settings_checks import GitTarget

logger = logging.getLogger(__name__)

#: What a folder may hold to become a work tree in place: the names a mirror
#: tree owns (pages, QR codes, indexes, images, home page).
MIRROR_NAMES = frozenset({"README.md", "indexes", "pages", "images"})


class GitCommandError(Exception):
    def __init__(self, args: tuple[str, ...], returncode: int, output: str) -> None:
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        # git's first "fatal:"/"error:" line is the reason; else its last line.
        reasons = [
            line.split(":", 1)[1].strip() for line in lines if line.startswith(("fatal:", "error:"))
        ]
        self.reason = reasons[0] if reasons else (lines or [f"exit status {returncode}"])[-1]
        if "Authentication failed" in output or "could not read Username" in output:
            self.reason += " (are the credentials in the remote URL right?)"
        super().__init__(f"git {args[0]}: {self.reason}")
        self.returncode = returncode
        self.output = output


class GitPublisher:
    """Commit and push SITE_DIR; see the module docstring."""

    kind = "git"

    def __init__(self, root: Path, target: GitTarget) -> None:
        self.root = root
        self.target = target
        self._secrets = url_secrets(target.remote)
        self._url = strip_credentials(target.remote)  # what git's command line sees
        self._branch_ref = f"refs/heads/{target.branch}"
        self._tracking_ref = f"refs/remotes/origin/{target.branch}"

    @property
    def destination(self) -> str:
        return f"git {mask_url(self.target.remote)} branch {self.target.branch}"

    # --- running git --------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        name, email = self.target.author_name, self.target.author_email
        env.update(
            GIT_TERMINAL_PROMPT="0",
            # Only the transports a remote setting may name (never ext::).
            GIT_ALLOW_PROTOCOL="https:http:ssh:git:file",
            LC_ALL="C",
            GIT_AUTHOR_NAME=name,
            GIT_AUTHOR_EMAIL=email,
            GIT_COMMITTER_NAME=name,
            GIT_COMMITTER_EMAIL=email,
        )
        # A host key or passphrase prompt would hang an unattended job.
        env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o ConnectTimeout=30")
        config = {
            "commit.gpgSign": "false",
            "core.quotePath": "false",
            # Give up on a stalled transfer instead of hanging the job.
            "http.lowSpeedLimit": "1000",
            "http.lowSpeedTime": "60",
        }
        if self._url != self.target.remote:
            config[f"url.{self.target.remote}.insteadOf"] = self._url
        count = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
        for number, (key, value) in enumerate(config.items(), start=count):
            env[f"GIT_CONFIG_KEY_{number}"] = key
            env[f"GIT_CONFIG_VALUE_{number}"] = value
        env["GIT_CONFIG_COUNT"] = str(count + len(config))
        return env

    def _git(
        self, *args: str, cwd: Path | None = None, stdin: bytes = b"", check: bool = True
    ) -> subprocess.CompletedProcess[bytes]:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=cwd or self.root,
                input=stdin,
                capture_output=True,
                env=self._env(),
                check=False,
            )
        except FileNotFoundError as error:
            if error.filename != "git":
                raise
            raise PublishError("PUBLISH=git needs the git command, not found", "PUBLISH") from None
        if check and done.returncode != 0:
            raise GitCommandError(args, done.returncode, self._text(done))
        return done

    def _text(self, done: subprocess.CompletedProcess[bytes]) -> str:
        output = (done.stdout + b"\n" + done.stderr).decode("utf-8", "replace")
        return redact(output, self._secrets)

    @property
    def _remote_label(self) -> str:
        """The remote as errors name it: masked URL and the setting it came from."""
        return f"{mask_url(self.target.remote)} ({self.target.remote_setting})"

    def _error(self, message: str) -> PublishError:
        return PublishError(message, self.target.remote_setting)

    def _has_head(self) -> bool:
        return (
            self._git("rev-parse", "-q", "--verify", "HEAD^{commit}", check=False).returncode == 0
        )

    def _head(self) -> str:
        return self._git("rev-parse", "--short", "HEAD").stdout.decode().strip()

    # --- before the crawl ---------------------------------------------------------
    def is_own_work_tree(self) -> bool:
        """True when SITE_DIR is the top of a git work tree (not a folder inside one)."""
        if not self.root.is_dir():
            return False
        done = self._git("rev-parse", "--show-toplevel", check=False)
        if done.returncode != 0:
            return False
        return Path(done.stdout.decode().strip()).resolve() == self.root.resolve()

    def prepare(self) -> str:
        """Make SITE_DIR a work tree holding the remote branch; see the module docstring."""
        try:
            if self.is_own_work_tree():
                restored = self._settle()
                if self._is_sparse():
                    self._narrow()
                return f"SITE_DIR is a git work tree{self._restored(restored)}{self._absent()}"
            self._check_adoptable()
            exists = self._remote_has_branch()
            partial = exists and not self.target.restore_all and not self._holds_files()
            self._install_repository(exists, partial)
            if partial:
                self._narrow(fresh=True)
            restored = self._settle()
        except GitCommandError as error:
            raise self._error(
                f"cannot set up SITE_DIR as a clone of {self._remote_label}: {error.reason}"
            ) from error
        if not exists:
            return f"{self.destination} does not exist yet: this run creates the branch"
        return f"SITE_DIR now tracks {self.destination}{self._restored(restored)}{self._absent()}"

    def _holds_files(self) -> bool:
        return self.root.is_dir() and any(is_tree_file(e.name) for e in self.root.iterdir())

    def _is_sparse(self) -> bool:
        done = self._git("config", "--bool", "core.sparseCheckout", check=False)
        return done.stdout.strip() == b"true"

    def _absent(self) -> str:
        count = len(MirrorTree(self.root).published_only())
        return (
            f"; {count} published files left on the remote (not needed by a run)" if count else ""
        )

    def _narrow(self, fresh: bool = False) -> None:
        """Check out only what a run reads (see the module docstring); list the rest.

        On a fresh repository the index does not exist yet: ``read-tree``
        builds it and checks out the inputs, fetching their blobs in one batch.
        """
        patterns = [f"/{path}" for path in RUN_INPUTS]
        sparse_file = self.root / ".git" / "info" / "sparse-checkout"
        if fresh:
            self._git("config", "core.sparseCheckout", "true")
            sparse_file.parent.mkdir(parents=True, exist_ok=True)
            sparse_file.write_text("\n".join(patterns) + "\n", encoding="utf-8")
            self._git("read-tree", "-mu", "HEAD")
        records = MirrorTree(self.root).feed_records(self.target.feed_entries)
        lines = [*patterns, *(f"/{record}" for record in records)]
        sparse_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self._git("sparse-checkout", "reapply")
        listed = self._git("ls-files", "-t", "-z").stdout.decode("utf-8", "surrogateescape")
        absent = sorted(
            e[2:] for e in listed.split("\0") if e.startswith("S ") and is_tree_file(e[2:])
        )
        write_published_only(self.root, absent)

    def restore_all(self) -> int:
        """Check out every published file (``scrapy render`` may rewrite any); how many."""
        count = len(MirrorTree(self.root).published_only())
        try:
            if self._is_sparse():
                self._git("sparse-checkout", "disable")
        except GitCommandError as error:
            raise self._error(
                f"cannot fetch the published files from {self._remote_label}: {error.reason}"
            ) from error
        (self.root / PUBLISHED_ONLY).unlink(missing_ok=True)
        return count

    @staticmethod
    def _restored(count: int) -> str:
        return f"; {count} files restored from it" if count else ""

    def _check_adoptable(self) -> None:
        if not self.root.exists():
            return
        if (self.root / ".git").exists():
            raise PublishError(
                f"SITE_DIR {str(self.root)!r} has a .git that is not a usable repository; "
                "repair or remove it",
                "SITE_DIR",
            )
        strangers = sorted(
            entry.name
            for entry in self.root.iterdir()
            if entry.name not in MIRROR_NAMES and is_tree_file(entry.name)
        )
        if strangers:
            raise PublishError(
                f"SITE_DIR {str(self.root)!r} is not a git work tree and holds files a mirror "
                f"does not own ({', '.join(strangers[:3])}); point SITE_DIR at an empty folder "
                f"or at a clone of {self.target.remote_setting}",
                "SITE_DIR",
            )

    def _remote_has_branch(self) -> bool:
        cwd = self.root if self.root.is_dir() else Path.cwd()
        try:
            done = self._git("ls-remote", self._url, self._branch_ref, cwd=cwd)
        except GitCommandError as error:
            raise self._error(
                f"cannot read git remote {self._remote_label}: {error.reason}"
            ) from error
        return bool(done.stdout.strip())

    def _install_repository(self, branch_exists: bool, partial: bool = False) -> None:
        """Build the repository beside SITE_DIR and move it in only when complete,
        so a kill leaves either no repository or one at the remote's branch.

        ``partial``: only the tip's commit and trees; blobs come when checked out.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".goodnews-git-", dir=self.root.parent) as tmp:
            work = Path(tmp)
            self._git("init", "-q", cwd=work)
            self._git("remote", "add", "origin", self._url, cwd=work)
            if partial:
                refspec = f"+{self._branch_ref}:{self._tracking_ref}"
                self._git(
                    "fetch", "-q", "--no-tags", "--depth=1", "--filter=blob:none",
                    "origin", refspec, cwd=work,
                )  # fmt: skip
                self._git("update-ref", self._branch_ref, self._tracking_ref, cwd=work)
            elif branch_exists:
                self._fetch(cwd=work)
                self._git("update-ref", self._branch_ref, self._tracking_ref, cwd=work)
            self._git("symbolic-ref", "HEAD", self._branch_ref, cwd=work)
            os.replace(work / ".git", self.root / ".git")

    def _fetch(self, cwd: Path | None = None) -> None:
        refspec = f"+{self._branch_ref}:{self._tracking_ref}"
        self._git("fetch", "-q", "--no-tags", self._url, refspec, cwd=cwd)

    def _settle(self) -> int:
        """Finish what a killed run left, set the index to HEAD, restore files
        deleted from the tree; returns how many were restored."""
        git_dir = self.root / ".git"
        if (git_dir / "rebase-merge").exists() or (git_dir / "rebase-apply").exists():
            self._git("rebase", "--abort")
        if not self._has_head():
            return 0
        self._git("reset", "-q")
        deleted = self._git("ls-files", "-z", "--deleted").stdout
        if deleted:
            self._git("checkout-index", "-f", "-z", "--stdin", stdin=deleted)
        return deleted.count(b"\0")

    # --- after the crawl ----------------------------------------------------------
    def changes(self) -> tuple[list[str], list[str]]:
        """(new files, modified files) of the tree, from ``git status``."""
        done = self._git("status", "--porcelain=v1", "-z", "--untracked-files=all")
        fields = done.stdout.decode("utf-8", "surrogateescape").split("\0")
        added: list[str] = []
        modified: list[str] = []
        index = 0
        while index < len(fields):
            entry = fields[index]
            index += 1
            if len(entry) < 4:
                continue
            code, path = entry[:2], entry[3:]
            if code[0] in "RC":
                index += 1  # the entry's original path follows
            if not is_tree_file(path):
                continue
            if code == "??":
                added.append(path)
            elif "D" not in code:
                # Deletions are never published (restored at the next start).
                modified.append(path)
        return added, modified

    def publish(self, name: str) -> PublishResult:
        """Commit what changed (if anything) and push the branch."""
        if not self.is_own_work_tree():
            raise PublishError(
                f"SITE_DIR {str(self.root)!r} is not a git work tree; it is set up when the "
                "crawl opens",
                "SITE_DIR",
            )
        try:
            if self._has_head():
                self._git("reset", "-q")  # the index is HEAD: no deletion can be staged
            added, modified = self.changes()
            changed = sorted(added + modified)
            subject = ""
            if changed:
                stdin = b"\0".join(path.encode("utf-8", "surrogateescape") for path in changed)
                self._git(
                    "--literal-pathspecs",
                    "add",
                    "--sparse",  # files outside a fresh disk's sparse checkout too
                    "--pathspec-from-file=-",
                    "--pathspec-file-nul",
                    stdin=stdin,
                )
                message = commit_message(name, added, modified, self.root)
                subject = message.splitlines()[0]
                self._git("commit", "-q", "-F", "-", stdin=message.encode())
                logger.info("Committed %s: %s", self._head(), subject)
            if not self._has_head():
                return PublishResult((), 0, "nothing to publish: the tree is empty")
            tracked = self._git("ls-files", "-z").stdout.count(b"\0")
        except GitCommandError as error:
            raise PublishError(
                f"cannot commit the tree in SITE_DIR {str(self.root)!r}: {error.reason}", "SITE_DIR"
            ) from error
        outcome, rebased = self._push()
        head = self._head()
        if changed:
            files = f"{len(changed)} file{'' if len(changed) == 1 else 's'}"
            summary = f"pushed {head} ({subject}; {files}) to {self.destination}"
        elif outcome == "up to date":
            summary = f"nothing to publish: {self.destination} already holds {head}"
        else:
            summary = f"pushed {head}, kept from an earlier run, to {self.destination}"
        if rebased:
            summary += ", after rebasing on the branch that moved"
        return PublishResult(
            tuple(changed),
            tracked - len(changed),
            summary,
            commits=int(bool(changed)),
            rebased=rebased,
        )

    def _push_once(self) -> tuple[str, str]:
        """("ok" | "up to date" | "moved" | "refused", reason)."""
        done = self._git("push", "--porcelain", self._url, f"HEAD:{self._branch_ref}", check=False)
        text = self._text(done)
        for line in text.splitlines():
            parts = line.split("\t")
            if len(parts) == 3 and parts[1].endswith(f":{self._branch_ref}"):
                flag, summary = parts[0], parts[2]
                if flag == "=":
                    return "up to date", summary
                if flag != "!":
                    return "ok", summary
                if summary.startswith("[rejected]"):
                    return "moved", summary
                remote = [r[7:].strip() for r in text.splitlines() if r.startswith("remote:")]
                return "refused", "; ".join([summary, *[r for r in remote if r][:2]])
        if done.returncode == 0:
            return "ok", ""
        return "refused", GitCommandError(("push",), done.returncode, text).reason

    def _push(self) -> tuple[str, bool]:
        outcome, reason = self._push_once()
        rebased = False
        if outcome == "moved":
            self._rebase_on_remote(reason)
            rebased = True
            outcome, reason = self._push_once()
        if outcome in ("ok", "up to date"):
            return outcome, rebased
        raise self._error(
            f"git push to {self._remote_label} branch {self.target.branch} failed: {reason}; "
            f"commit {self._head()} is kept in SITE_DIR for the next run"
        )

    def _rebase_on_remote(self, rejection: str) -> None:
        head = self._head()
        try:
            self._fetch()
        except GitCommandError as error:
            raise self._error(
                f"git push to {self._remote_label} was rejected ({rejection}) and fetching "
                f"failed: {error.reason}; commit {head} is kept in SITE_DIR for the next run"
            ) from error
        done = self._git("rebase", "-q", "--autostash", self._tracking_ref, check=False)
        if done.returncode == 0:
            return
        conflicts = self._git("diff", "--name-only", "--diff-filter=U", "-z").stdout
        self._git("rebase", "--abort", check=False)
        files = ", ".join(conflicts.decode("utf-8", "replace").strip("\0").split("\0")[:5])
        raise self._error(
            f"git push to {self._remote_label} was rejected: branch {self.target.branch} moved "
            f"and commit {head} does not rebase on it (conflicts: {files or 'see git status'}); "
            f"it is kept in SITE_DIR: rebase it by hand with "
            f"git -C {self.root} pull --rebase origin {self.target.branch}"
        )
