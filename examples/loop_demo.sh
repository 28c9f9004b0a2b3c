#!/bin/sh
# The whole coding loop from the command line, one command per step:
#   init -> add-document -> code -> (two reviews) -> merge -> validate -> agree -> build --data
# Usage: sh examples/loop_demo.sh WORKDIR
# WORKDIR must be new or empty; everything is written inside it. The review step, which a
# person does in Excel or a text editor, is done here by a few lines of Python that edit the CSV.
set -eu
WORK=${1:?usage: sh examples/loop_demo.sh WORKDIR}
mkdir -p "$WORK"
cd "$WORK"

# a new text to code (any UTF-8 or GB18030 file)
cat > report.txt <<'TEXT'
山东、广东获批筹建国家碳计量中心。浙江设立科技创新基金，建设概念验证中心。江苏率先召开推进大会。上海举办论坛。
TEXT

npstudy init my-dataset
npstudy add-document my-dataset report.txt --doc-id report-2024 --title "Provincial report" --date 2024-05
npstudy code my-dataset/raw/report-2024.txt --doc-id report-2024 --out suggestions.csv

# review: two people review the suggestions independently, marking every row accept or reject
# and writing an English summary for each accepted row (done here by a few lines of Python);
# reviewer A rejects the concept-verification suggestion that reviewer B accepts
python - <<'REVIEW'
import csv

with open("suggestions.csv", encoding="utf-8-sig", newline="") as f:
    rows = list(csv.DictReader(f))
for name, strict in (("reviewed.csv", True), ("reviewed_b.csv", False)):
    for row in rows:
        reject = strict and row["code"].endswith("proof_of_concept")
        row["decision"] = "reject" if reject else "accept"
        row["summary_en"] = "" if reject else "Practice reported in the provincial report."
    with open(name, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
REVIEW

npstudy merge reviewed.csv --into my-dataset --coder "Reviewer A"
npstudy validate my-dataset
npstudy agree reviewed.csv reviewed_b.csv --data my-dataset --show
npstudy build --data my-dataset --out my-figures --lang en
