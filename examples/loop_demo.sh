#!/bin/sh
# The whole coding loop from the command line, one command per step:
#   init -> add-document -> code -> (review) -> merge -> validate -> agree -> build --data
# Usage: sh tools/loop_demo.sh WORKDIR
# WORKDIR must be new or empty; everything is written inside it. The review step, which a
# person does in Excel or a text editor, is done here by a few lines of Python that edit the CSV.
set -eu
WORK=${1:?usage: sh tools/loop_demo.sh WORKDIR}
mkdir -p "$WORK"
cd "$WORK"

# a new text to code (any UTF-8 or GB18030 file)
cat > report.txt <<'TEXT'
山东、广东获批筹建国家碳计量中心。浙江设立科技创新基金，建设概念验证中心。江苏率先召开推进大会。上海举办论坛。
TEXT

npstudy init my-dataset
npstudy add-document my-dataset report.txt --doc-id report-2024 --title "Provincial report" --date 2024-05
npstudy code my-dataset/raw/report-2024.txt --doc-id report-2024 --out suggestions.csv

# review: mark every row accept or reject and write an English summary for each accepted row
python - <<'REVIEW'
import csv

with open("suggestions.csv", encoding="utf-8-sig", newline="") as f:
    rows = list(csv.DictReader(f))
for row in rows:
    proof_of_concept = row["code"].endswith("proof_of_concept")
    row["decision"] = "reject" if proof_of_concept else "accept"
    row["summary_en"] = "" if proof_of_concept else "Practice reported in the provincial report."
with open("reviewed.csv", "w", encoding="utf-8-sig", newline="") as f:
    writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
REVIEW

npstudy merge reviewed.csv --into my-dataset
npstudy validate my-dataset
npstudy agree my-dataset/practices.csv suggestions.csv --data my-dataset
npstudy build --data my-dataset --out my-figures --lang en
