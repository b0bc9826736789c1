"""The label readers on each generator's real files (tests/evaluate/data) and on broken ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from fraudlink.evaluate.finforge_labels import read_finforge_labels
from fraudlink.evaluate.label_csv import LabelFileError
from fraudlink.evaluate.synthfin_labels import read_synthfin_labels

DATA = Path(__file__).with_name("data")


def test_finforge_labels_every_fraud_type_of_a_customer() -> None:
    truth = read_finforge_labels(DATA / "finforge.csv")
    assert truth.population == {f"user_00000{i}" for i in range(1, 9)}
    assert truth.labels == {
        "user_000001": {"account_takeover"},
        "user_000002": {"refund_abuse", "business_invoice_fraud"},
        "user_000003": {"refund_abuse"},
        "user_000005": {"card_fraud"},
    }


def test_synthfin_labels_split_mules_by_the_laundering_transfers() -> None:
    truth = read_synthfin_labels(DATA / "synthfin-nodes.csv", DATA / "synthfin-transactions.csv")
    assert truth.population == {str(i) for i in range(40)}
    assert set(truth.labels) == {"14", "27", "31", "32"}
    assert all(len(kinds) == 1 for kinds in truth.labels.values())
    active = {a for a, kinds in truth.labels.items() if "mule_active" in kinds}
    assert active == {"14", "27", "31", "32"} & _fraud_parties()


def _fraud_parties() -> set[str]:
    parties: set[str] = set()
    lines = (DATA / "synthfin-transactions.csv").read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        _txn, source, target, _ts, _amount, is_fraud = line.split(",")
        if is_fraud == "1":
            parties |= {source, target}
    return parties


def test_a_missing_column_names_the_file_and_what_was_expected(tmp_path: Path) -> None:
    path = tmp_path / "ff.csv"
    path.write_text("transaction_id,user_id,fraud\nt1,u1,True\n", encoding="utf-8")
    with pytest.raises(
        LabelFileError, match=r"ff\.csv: line 1: missing column\(s\) is_fraud, fraud_type"
    ):
        read_finforge_labels(path)


def test_a_label_that_is_not_yes_or_no_names_its_line(tmp_path: Path) -> None:
    nodes = tmp_path / "nodes.csv"
    nodes.write_text(
        "agent_id,profile,is_fraud\n0,retail,False\n1,retail,maybe\n", encoding="utf-8"
    )
    transactions = tmp_path / "transactions.csv"
    transactions.write_text("txn_id,source_id,target_id,is_fraud\n", encoding="utf-8")
    with pytest.raises(LabelFileError, match=r"nodes\.csv: line 3: column is_fraud: 'maybe'"):
        read_synthfin_labels(nodes, transactions)


def test_an_empty_account_id_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "ff.csv"
    path.write_text(
        "user_id,is_fraud,fraud_type\nu1,False,none\n,True,card_fraud\n", encoding="utf-8"
    )
    with pytest.raises(LabelFileError, match=r"line 3: column user_id is empty"):
        read_finforge_labels(path)


def test_handwritten_rows_in_finforge_form(tmp_path: Path) -> None:
    path = tmp_path / "ff.csv"
    path.write_text(
        "user_id,is_fraud,fraud_type,amount\n"
        "u1,False,none,-3.00\nu2,True,mule_account,10.00\nu2,True,mule_account,-9.50\n"
        "u3,False,none,1.00\n",
        encoding="utf-8",
    )
    truth = read_finforge_labels(path)
    assert truth.population == {"u1", "u2", "u3"}
    assert truth.labels == {"u2": {"mule_account"}}
