"""Corpus mode: a folder coded document by document, resumed, on a process pool and on Dask.

The texts are made up for the test. Each document's files must be the bytes that coding it
alone gives, whatever the scheduler.
"""

import json
import os

import pytest
from dask import distributed

from npstudy.coder import Coder
from npstudy.coder.corpus import MANIFEST, OUTPUTS, _clean, code_corpus, read_corpus
from npstudy.coder.run import csv_bytes

TEXTS = {
    "report": "2024年江苏省政府工作报告\n过去一年，全省设立科技创新基金，新建概念验证中心。\n",
    "news": "浙江设立科技创新基金。9省份瞄准氢能。华为在贵州设厂。\n",
    "list": "山东、广东获批筹建国家碳计量中心。\n上海举办论坛。\n",
    "plain": "今天天气很好。\n",
}


@pytest.fixture(scope="module")
def coder():
    return Coder()


def make_corpus(folder, texts=TEXTS):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def dead_pid() -> int:
    """The id of a process that has ended (a child run and reaped)."""
    import subprocess
    import sys
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True).stdout)


def tree(out):
    docs = out / "docs"
    return {f"{d.name}/{f.name}": f.read_bytes() for d in sorted(docs.iterdir()) for f in sorted(d.iterdir())}


def test_each_document_is_written_as_coding_it_alone_gives(tmp_path, coder):
    corpus = make_corpus(tmp_path / "in")
    totals = code_corpus(corpus, tmp_path / "out", progress=False)
    assert (totals["documents"], totals["coded"], totals["skipped"], totals["failed"]) == (4, 4, 0, 0)
    files = tree(tmp_path / "out")
    assert sorted(files) == sorted(f"{d}/{f}" for d in TEXTS for f in [*OUTPUTS, MANIFEST])
    for doc_id, text in TEXTS.items():
        province = "CN-JS" if doc_id == "report" else None     # the title names Jiangsu
        result = coder.code(text, doc_id, province=province)
        for name, attr in OUTPUTS.items():
            assert files[f"{doc_id}/{name}"] == csv_bytes(getattr(result, attr), bom=True)
    manifest = json.loads(files["report/manifest.json"])
    assert (manifest["province"], manifest["province_source"], manifest["suggestions"]) == (
        "CN-JS", "title", 2)
    assert json.loads(files["plain/manifest.json"])["warnings"] == [
        "no province or prefecture-level city found in the text"]
    assert totals["suggestions"] == sum(json.loads(files[f"{d}/manifest.json"])["suggestions"]
                                        for d in TEXTS)
    table = read_corpus(tmp_path / "out")
    assert list(table["doc_id"].unique()) == ["list", "news", "report"]   # plain has none
    assert len(table) == totals["suggestions"]


def test_a_second_run_skips_what_is_coded_alike(tmp_path):
    corpus = make_corpus(tmp_path / "in")
    out = tmp_path / "out"
    code_corpus(corpus, out, progress=False)
    before = tree(out)
    again = code_corpus(corpus, out, progress=False)
    assert (again["coded"], again["skipped"]) == (0, 4)
    assert again["suggestions"] == sum(json.loads(before[f"{d}/manifest.json"])["suggestions"]
                                       for d in TEXTS)
    assert tree(out) == before
    # a changed text and another --province are coded again; the rest is skipped
    (corpus / "news.txt").write_text("江苏设立科技创新基金。\n", encoding="utf-8")
    third = code_corpus(corpus, out, progress=False)
    assert (third["coded"], third["skipped"]) == (1, 3)
    assert b"CN-JS" in tree(out)["news/suggestions.csv"]
    assert code_corpus(corpus, out, province="CN-AH", progress=False)["coded"] == 4
    assert code_corpus(corpus, out, province="CN-AH", force=True, progress=False)["coded"] == 4
    # a manifest from another lexicon or version is no match
    manifest = out / "docs" / "plain" / MANIFEST
    data = json.loads(manifest.read_text(encoding="utf-8"))
    from npstudy.coder.corpus import _content_sha256, _manifest_bytes

    other = dict(data, lexicon="0" * 64)           # as another lexicon's run writes it
    manifest.write_bytes(_manifest_bytes(dict(other, manifest_sha256=_content_sha256(other))))
    last = code_corpus(corpus, out, province="CN-AH", progress=False)
    assert (last["coded"], last["skipped"]) == (1, 3)


def test_the_process_pool_gives_the_same_bytes(tmp_path):
    corpus = make_corpus(tmp_path / "in")
    code_corpus(corpus, tmp_path / "one", jobs=1, progress=False)
    totals = code_corpus(corpus, tmp_path / "two", jobs=2, progress=False)
    assert totals["coded"] == 4
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    # the workers are fresh interpreters, each with its own string hashing (which orders the
    # coder's patterns): their lexicon hash is this process's, so nothing is coded again
    assert code_corpus(corpus, tmp_path / "one", jobs=2, progress=False)["skipped"] == 4


def test_dask_gives_the_same_bytes_as_the_pool(tmp_path):
    corpus = make_corpus(tmp_path / "in")
    code_corpus(corpus, tmp_path / "pool", jobs=1, progress=False)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        totals = code_corpus(corpus, tmp_path / "dask", jobs=2, scheduler="dask", client=client,
                             progress=False)
        assert (totals["coded"], totals["failed"]) == (4, 0)
        again = code_corpus(corpus, tmp_path / "dask", scheduler="dask", client=client,
                            progress=False)
        assert again["skipped"] == 4
    assert tree(tmp_path / "dask") == tree(tmp_path / "pool")


def test_what_an_interrupted_run_left_is_cleaned(tmp_path):
    corpus = make_corpus(tmp_path / "in")
    out = tmp_path / "out"
    code_corpus(corpus, out, progress=False)
    before = tree(out)
    # a staged set never renamed, and a previous set moved aside before its new one arrived
    gone = dead_pid()
    (out / f".npstudy-tmp-news-{gone}-2").mkdir()
    (out / f".npstudy-tmp-news-{gone}-2" / "suggestions.csv").write_text("half", encoding="utf-8")
    os.rename(out / "docs" / "list", out / f".npstudy-old-list-{gone}-2")
    _clean(out)
    assert sorted(p.name for p in out.iterdir()) == ["docs"]
    assert tree(out) == before


def test_the_command_on_a_folder(tmp_path, cli):
    corpus = make_corpus(tmp_path / "in", dict(TEXTS, empty=""))
    (corpus / "notes.md").write_text("not a text", encoding="utf-8")
    run = cli("code", corpus, "--out", tmp_path / "out")
    assert run.code == 1
    lines = run.err.strip().splitlines()
    assert lines[-1].startswith("npstudy: error: 1 document(s) could not be coded")
    assert "empty: " in lines[-1] and "file is empty" in lines[-1]
    assert "4 document(s) coded, 0 already coded alike and skipped, 1 failed, of 5" in run.err
    assert sorted(p.name for p in (tmp_path / "out" / "docs").iterdir()) == sorted(TEXTS)
    (corpus / "empty.txt").unlink()
    run = cli("code", corpus, "--out", tmp_path / "out")
    assert run.code == 0 and "0 document(s) coded, 4 already coded alike and skipped" in run.err
    assert "\r" not in run.err            # no progress bar when standard error is no terminal


@pytest.mark.parametrize("args, message, code", [
    (["{in}"], "pass --out OUTDIR", 1),
    (["{in}", "--out", "{out}", "--doc-id", "x"], "--doc-id does not apply to a folder", 1),
    (["{in}", "{in}/news.txt", "--out", "{out}"], "pass one folder", 1),
    (["{in}/news.txt", "--jobs", "2"], "--jobs and --scheduler apply to a folder", 1),
    (["{in}", "--out", "{in}/news.txt"], "is not a folder", 1),
    (["{in}", "--out", "{out}", "--province", "Atlantis"], "not a province name", 1),
    (["{empty}", "--out", "{out}"], "holds no .txt file", 1),
    # refused by argparse, which exits 2
    (["{in}", "--out", "{out}", "--jobs", "0"], "'0' is not a whole number of at least 1", 2),
    (["{in}", "--out", "{out}", "--jobs", "-1"], "'-1' is not a whole number of at least 1", 2),
    (["{in}", "--out", "{out}", "--jobs", "\uff12"], "'\uff12' is not a whole number", 2),  # full-width 2
    (["{in}", "--out", "{out}", "--jobs", "257"], "'257' processes: use at most 256", 2),
])
def test_the_command_refuses_bad_options(tmp_path, cli, args, message, code):
    make_corpus(tmp_path / "in")
    (tmp_path / "empty").mkdir()
    names = {"in": tmp_path / "in", "out": tmp_path / "out", "empty": tmp_path / "empty"}
    run = cli("code", *[a.format(**names) for a in args])
    assert run.code == code and message in run.err
    assert run.err.count("npstudy: error:") == 1
    assert not (tmp_path / "out").exists()


def test_a_folder_not_written_by_npstudy_is_left_alone(tmp_path):
    corpus = make_corpus(tmp_path / "in")
    mine = tmp_path / "out" / "docs" / "news"
    mine.mkdir(parents=True)
    (mine / "my-notes.txt").write_text("mine", encoding="utf-8")
    totals = code_corpus(corpus, tmp_path / "out", progress=False)
    assert totals["failed"] == 1 and "not written by npstudy code" in totals["errors"][0][1]
    assert [p.name for p in mine.iterdir()] == ["my-notes.txt"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["docs"]


def test_the_lexicon_hash_follows_the_lexicon(coder):
    from npstudy.coder.corpus import coder_fingerprint
    from npstudy.lexicon import load_lexicon

    lexicon = load_lexicon()
    assert coder_fingerprint(Coder(lexicon=lexicon)) == coder_fingerprint(coder)
    assert coder_fingerprint(Coder(lexicon=lexicon.iloc[1:])) != coder_fingerprint(coder)


def test_a_workspace_folder_uses_the_recorded_provinces(tmp_path, cli):
    (tmp_path / "d.txt").write_text("全省设立科技创新基金。\n", encoding="utf-8")
    ws = tmp_path / "ws"
    assert cli("init", ws).code == 0
    assert cli("add-document", ws, tmp_path / "d.txt", "--doc-id", "d1", "--province", "CN-AH").code == 0
    totals = code_corpus(ws / "raw", tmp_path / "out", progress=False)
    assert totals["failed"] == 0
    manifest = json.loads((tmp_path / "out" / "docs" / "d1" / MANIFEST).read_text(encoding="utf-8"))
    assert (manifest["province"], manifest["province_source"], manifest["suggestions"]) == (
        "CN-AH", "recorded", 1)


def test_files_added_or_edited_in_a_coded_folder_are_never_replaced(tmp_path):
    corpus = make_corpus(tmp_path / "in")
    code_corpus(corpus, tmp_path / "out", progress=False)
    news = tmp_path / "out" / "docs" / "news"
    (news / "my-notes.txt").write_text("mine", encoding="utf-8")
    with open(news / "suggestions.csv", "a", encoding="utf-8") as f:
        f.write("an edit\n")
    before = {p.name: p.read_bytes() for p in news.iterdir()}
    totals = code_corpus(corpus, tmp_path / "out", progress=False, force=True)
    errors = dict(totals["errors"])
    assert "my-notes.txt" in errors["news"] and "suggestions.csv" in errors["news"]
    assert {p.name: p.read_bytes() for p in news.iterdir()} == before


def test_the_output_folder_must_be_npstudys_own(tmp_path):
    from npstudy.coder.core import CodingError
    from npstudy.fileio import DataError, protected_folders
    corpus = make_corpus(tmp_path / "in")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out1").mkdir()
    (tmp_path / "out1" / "docs").symlink_to(elsewhere)          # docs/ leading out of OUTDIR
    with pytest.raises(CodingError, match="is a link or a file"):
        code_corpus(corpus, tmp_path / "out1", progress=False)
    (tmp_path / "out2").mkdir()
    (tmp_path / "out2" / "docs").write_text("mine", encoding="utf-8")
    with pytest.raises(CodingError, match="is a link or a file"):
        code_corpus(corpus, tmp_path / "out2", progress=False)
    assert list(elsewhere.iterdir()) == [] and sorted(p.name for p in (tmp_path / "out2").iterdir()) == ["docs"]
    shipped = protected_folders()[0]
    with pytest.raises(DataError, match="never modified"):
        code_corpus(corpus, shipped / "coded", progress=False)
    assert not (shipped / "coded").exists()


def test_an_edit_beside_a_damaged_manifest_is_kept(tmp_path):
    corpus = make_corpus(tmp_path / "in")
    out = tmp_path / "out"
    code_corpus(corpus, out, progress=False)
    doc = sorted((out / "docs").iterdir())[0]
    edited = (doc / "suggestions.csv").read_bytes() + b"my review\n"
    (doc / "suggestions.csv").write_bytes(edited)
    (doc / MANIFEST).write_text("{bad", encoding="utf-8")
    totals = code_corpus(corpus, out, progress=False)
    assert totals["failed"] == 1 and "not written by npstudy code" in totals["errors"][0][1]
    assert (doc / "suggestions.csv").read_bytes() == edited


def test_a_fifo_or_a_wrong_manifest_is_no_manifest(tmp_path):
    corpus = make_corpus(tmp_path / "in")
    out = tmp_path / "out"
    code_corpus(corpus, out, progress=False)
    first, second = sorted((out / "docs").iterdir())[:2]
    (first / MANIFEST).unlink()
    os.mkfifo(first / MANIFEST)              # reading it would block forever
    manifest = json.loads((second / MANIFEST).read_text(encoding="utf-8"))
    manifest["suggestions"] = "lots"
    (second / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    totals = code_corpus(corpus, out, progress=False)
    assert totals["failed"] == 2
    assert all("not written by npstudy code" in e for _, e in totals["errors"])


def test_a_document_whose_output_is_gone_is_coded_again(tmp_path):
    corpus = make_corpus(tmp_path / "in")
    out = tmp_path / "out"
    code_corpus(corpus, out, progress=False)
    doc = sorted((out / "docs").iterdir())[0]
    whole = (doc / "suggestions.csv").read_bytes()
    (doc / "suggestions.csv").unlink()
    totals = code_corpus(corpus, out, progress=False)
    assert totals["coded"] == 1 and totals["skipped"] == len(TEXTS) - 1
    assert (doc / "suggestions.csv").read_bytes() == whole


def test_a_users_folder_with_the_staging_prefix_is_left_alone(tmp_path):
    out = tmp_path / "out"
    mine = out / ".npstudy-tmp-mybackup"
    aside = out / f".npstudy-old-d1-{dead_pid()}-2"
    for folder, name in ((mine, "precious.txt"), (aside, "thesis.docx")):
        folder.mkdir(parents=True)
        (folder / name).write_text("mine", encoding="utf-8")
    _clean(out)
    assert (mine / "precious.txt").is_file() and (aside / "thesis.docx").is_file()
    assert not (out / "docs").exists()


def test_a_text_without_sentence_ends_is_refused_before_coding(tmp_path):
    from npstudy.text import MAX_SENTENCE_CHARS
    corpus = make_corpus(tmp_path / "in", {"flat": "浙江设立基金，" * (MAX_SENTENCE_CHARS // 7 + 1),
                                           "ok": "浙江设立科技创新基金。\n"})
    totals = code_corpus(corpus, tmp_path / "out", progress=False)
    assert totals["coded"] == 1 and totals["failed"] == 1
    doc, error = totals["errors"][0]
    assert doc == "flat" and "flat.txt:1: a sentence of 20,006 characters" in error
    assert not (tmp_path / "out" / "docs" / "flat").exists()


@pytest.mark.parametrize("make, words", [
    (lambda p: p.mkdir(), "a folder"),
    (lambda p: os.mkfifo(p), "a FIFO"),
    (lambda p: p.symlink_to(p.parent / "gone.txt"), "a broken link"),
])
def test_an_entry_named_txt_that_is_no_file_is_refused(tmp_path, make, words):
    from npstudy.coder.corpus import corpus_texts
    from npstudy.fileio import CodingError

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("浙江设立科技创新基金。", encoding="utf-8")
    make(docs / "b.txt")
    with pytest.raises(CodingError, match=f"b.txt: named .txt but {words} – move it out"):
        corpus_texts(docs)


def test_a_link_to_a_text_outside_the_folder_is_refused(tmp_path):
    from npstudy.coder.corpus import corpus_texts
    from npstudy.fileio import CodingError

    docs, elsewhere = tmp_path / "docs", tmp_path / "private"
    docs.mkdir(), elsewhere.mkdir()
    (docs / "a.txt").write_text("浙江设立科技创新基金。", encoding="utf-8")
    (elsewhere / "secret.txt").write_text("江苏设立基金。", encoding="utf-8")
    (docs / "b.txt").symlink_to(elsewhere / "secret.txt")
    with pytest.raises(CodingError, match="b.txt: a link to .*secret.txt, outside .*copy the"):
        corpus_texts(docs)
    # a link to a document inside the folder is one more document
    (docs / "b.txt").unlink()
    (docs / "b.txt").symlink_to(docs / "a.txt")
    assert [p.name for p in corpus_texts(docs)] == ["a.txt", "b.txt"]


def test_the_sets_of_a_running_process_are_not_cleaned(tmp_path):
    # a staged set named after a process that still runs (this one) is in use, not left over
    out = tmp_path / "out"
    code_corpus(make_corpus(tmp_path / "in"), out, progress=False)
    staged = out / f".npstudy-tmp-news-{os.getpid()}-2"
    staged.mkdir()
    (staged / "suggestions.csv").write_text("being written", encoding="utf-8")
    _clean(out)
    assert (staged / "suggestions.csv").read_text(encoding="utf-8") == "being written"


def test_a_second_run_into_the_same_folder_is_refused_while_one_runs(tmp_path):
    from npstudy.fileio import CodingError, run_lock

    corpus, out = make_corpus(tmp_path / "in"), tmp_path / "out"
    out.mkdir()
    with run_lock(out, "npstudy code run"):      # as a first run holds it
        with pytest.raises(CodingError, match="another npstudy code run is writing to this folder"):
            code_corpus(corpus, out, progress=False)
    assert code_corpus(corpus, out, progress=False)["coded"] == 4    # free again
    assert sorted(p.name for p in out.iterdir()) == ["docs"]          # no lock file left


def test_an_output_name_holding_a_users_folder_is_never_replaced(tmp_path):
    corpus, out = make_corpus(tmp_path / "in"), tmp_path / "out"
    code_corpus(corpus, out, progress=False)
    folder = out / "docs" / "news"
    (folder / "suggestions.csv").unlink()
    (folder / "suggestions.csv").mkdir()
    (folder / "suggestions.csv" / "notes.txt").write_text("my review notes", encoding="utf-8")
    totals = code_corpus(corpus, out, progress=False, force=True)
    assert totals["failed"] == 1 and "suggestions.csv" in totals["errors"][0][1]
    assert (folder / "suggestions.csv" / "notes.txt").read_text(encoding="utf-8") == "my review notes"


@pytest.mark.parametrize("edit", [
    lambda m: {**m, "reviewer_note": "checked by Li"},     # a key added
    lambda m: {**m, "suggestions": -5},                    # an impossible count
    lambda m: {**m, "suggestions": m["suggestions"] + 7},  # a possible count, changed in place
    lambda m: {**m, "warnings": ["seen"]},                 # a warning changed
])
def test_an_edited_manifest_is_no_longer_npstudys(tmp_path, edit):
    corpus, out = make_corpus(tmp_path / "in"), tmp_path / "out"
    code_corpus(corpus, out, progress=False)
    path = out / "docs" / "news" / MANIFEST
    changed = json.dumps(edit(json.loads(path.read_text(encoding="utf-8"))), ensure_ascii=False,
                         indent=1, sort_keys=True) + "\n"
    path.write_text(changed, encoding="utf-8")
    totals = code_corpus(corpus, out, progress=False)
    # not skipped on the edited manifest's word, not replaced either: the edit is kept
    assert totals["skipped"] == 3 and totals["failed"] == 1
    assert "was not written by npstudy code" in totals["errors"][0][1]
    assert path.read_text(encoding="utf-8") == changed


def test_a_manifest_written_before_its_own_digest_still_resumes(tmp_path):
    # outputs of an earlier run have no manifest_sha256: they are skipped as before, not failed
    from npstudy.coder.corpus import _manifest_bytes

    corpus, out = make_corpus(tmp_path / "in"), tmp_path / "out"
    code_corpus(corpus, out, progress=False)
    path = out / "docs" / "news" / MANIFEST
    old = json.loads(path.read_text(encoding="utf-8"))
    del old["manifest_sha256"]
    path.write_bytes(_manifest_bytes(old))
    totals = code_corpus(corpus, out, progress=False)
    assert totals["skipped"] == 4 and totals["failed"] == 0


def test_outputs_an_old_manifest_cannot_vouch_for_are_never_replaced(tmp_path):
    # a manifest without output digests (as npstudy wrote them before) cannot tell an edited
    # table from its own: the document fails and the reviewer's edit is kept
    from npstudy.coder.corpus import _manifest_bytes

    corpus, out = make_corpus(tmp_path / "in"), tmp_path / "out"
    code_corpus(corpus, out, progress=False)
    folder = out / "docs" / "news"
    old = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    for key in ("outputs_sha256", "manifest_sha256"):
        del old[key]
    (folder / MANIFEST).write_bytes(_manifest_bytes(old))
    with open(folder / "suggestions.csv", "a", encoding="utf-8") as f:
        f.write("REVIEWER NOTE\n")
    edited = (folder / "suggestions.csv").read_bytes()
    totals = code_corpus(corpus, out, progress=False)
    assert totals["failed"] == 1 and "whose digest an older manifest lacks" in totals["errors"][0][1]
    assert (folder / "suggestions.csv").read_bytes() == edited


def test_a_bad_recorded_province_names_documents_csv_not_the_option(coder):
    from npstudy.coder.province import document_province
    from npstudy.fileio import CodingError

    with pytest.raises(CodingError, match="documents.csv records province '火星'.*fix that row"):
        document_province("全省设立基金。", coder, recorded="火星")
    assert document_province("全省设立基金。", coder, recorded="CN-AH") == ("CN-AH", "recorded")


def test_the_manifest_keys_are_the_ones_written(tmp_path):
    # _MANIFEST_KEYS (a manifest with any other key was edited) names exactly what a run writes
    from npstudy.coder.corpus import _MANIFEST_KEYS

    out = tmp_path / "out"
    code_corpus(make_corpus(tmp_path / "in"), out, progress=False)
    for name in TEXTS:
        assert set(json.loads((out / "docs" / name / MANIFEST).read_text(encoding="utf-8"))) == _MANIFEST_KEYS
