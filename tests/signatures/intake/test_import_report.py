"""The CSV import on crafted files: every kind of bad row reported, nothing half-imported, nothing twice."""

import codecs

import pytest
from django.core.management import CommandError, call_command

from campaigns.models import Campaign
from signatures import links
from signatures.intake.importer import ImportOptions, run_import
from signatures.intake.mapping import guess_mapping
from signatures.models import Consent, Signature
from tests.factories import confirm_token, make_campaign, make_organisation, make_signature

pytestmark = pytest.mark.django_db

HEADING = "first name,last name,email,country,postcode,signed at"

BAD_ROWS = [
    # (line text, what the report says)
    ("=HYPERLINK(\"http://x\");Evil,Doer,evil@example.org,DE,10115,", "First name"),
    ("Ada,Lovelace,not-an-address,DE,10115,", "Email address"),
    ("Ada,Lovelace,ada@mailinator.com,DE,10115,", "Email address"),
    ("Ada,\u202eecalevoL,rtl@example.org,DE,10115,", "Last name"),
    ("Ada 😀,Lovelace,emoji@example.org,DE,10115,", "First name"),
    ("Ada,Lovelace,nopostcode@example.org,DE,,", "Postcode"),
    ("Ada,Lovelace,wrongcountry@example.org,XX,10115,", "Country"),
    ("Ada,Lovelace,future@example.org,DE,10115,2999-01-01", "Signed at"),
    ("Ada,Lovelace,baddate@example.org,DE,10115,yesterday", "Signed at"),
    ("," + "L" * 101 + ",long@example.org,DE,10115,", "First name"),
]


def write(tmp_path, text: str, *, encoding="utf-8", name="list.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def options(campaign, path=None, **extra):
    from signatures.intake.importer import read_heading

    headings = read_heading(path)[0] if path else []
    return ImportOptions(campaign=campaign, mapping=guess_mapping(headings, []), **extra)


def good_row(n: int) -> str:
    return f"Signer,Number{n},signer{n}@example.org,DE,10115,2024-05-{1 + n % 28:02d} 10:00"


def test_it_reports_every_kind_of_bad_row_and_imports_only_good_ones(tmp_path):
    campaign = make_campaign()
    make_signature(campaign, email="already@example.org")
    good = [good_row(n) for n in range(40)]
    lines = [HEADING, *good[:20], *(row for row, _ in BAD_ROWS), *good[20:]]
    lines += ["Again,Signer,ALREADY@example.org,DE,10115,", good[3].replace("signer3@", "Signer3+tag@")]
    lines += ['"Quoted, comma",Newline,quoted@example.org,DE,10115,']
    path = write(tmp_path, "\n".join(lines) + "\n")

    report = run_import(path, options(campaign, path, dry_run=False))

    assert report.problems == []
    assert report.rows == 40 + len(BAD_ROWS) + 3
    assert report.invalid == len(BAD_ROWS)
    assert report.duplicate_existing == 1
    assert report.duplicate_in_file == 1
    assert report.new == report.imported == 41
    invalid = {line: detail for line, outcome, detail in report.examples if outcome == "invalid"}
    for offset, (_, field) in enumerate(BAD_ROWS):
        assert invalid[22 + offset].startswith(field), (offset, invalid[22 + offset])
    assert Signature.objects.filter(campaign=campaign, source="import").count() == 41
    quoted = Signature.objects.get(email="quoted@example.org")
    assert quoted.first_name == "Quoted, comma"


def test_it_adds_nothing_when_the_same_file_is_imported_twice(tmp_path):
    campaign = make_campaign()
    path = write(tmp_path, "\n".join([HEADING, *(good_row(n) for n in range(30))]) + "\n")

    first = run_import(path, options(campaign, path, dry_run=False))
    second = run_import(path, options(campaign, path, dry_run=False))

    assert first.imported == 30
    assert second.imported == 0
    assert second.duplicate_existing == 30
    assert Signature.objects.filter(campaign=campaign).count() == 30


def test_a_dry_run_reports_the_same_and_writes_nothing(tmp_path):
    campaign = make_campaign()
    path = write(tmp_path, "\n".join([HEADING, good_row(1), good_row(1), BAD_ROWS[0][0]]) + "\n")

    report = run_import(path, options(campaign, path, dry_run=True))

    assert (report.new, report.duplicate_in_file, report.invalid, report.imported) == (1, 1, 1, 0)
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("encoding", "delimiter", "expected_codec"),
    [
        ("utf-8", ",", "utf-8"),
        ("utf-8-sig", ";", "utf-8-sig"),
        ("utf-16", "\t", "utf-16"),
        ("latin-1", ";", "latin-1"),
    ],
)
def test_it_reads_each_encoding_and_delimiter(tmp_path, encoding, delimiter, expected_codec):
    campaign = make_campaign()
    rows = [HEADING, "Zoë,Müller,zoe@example.org,DE,10115,", "José,Núñez,jose@example.org,ES,28001,"]
    text = "\r\n".join(row.replace(",", delimiter) for row in rows) + "\r\n"
    path = write(tmp_path, text, encoding=encoding)

    report = run_import(path, options(campaign, path, dry_run=False))

    assert report.encoding.startswith(expected_codec)
    assert report.delimiter == delimiter
    assert report.imported == 2
    assert set(Signature.objects.values_list("last_name", flat=True)) == {"Müller", "Núñez"}


def test_a_bom_is_not_part_of_the_first_heading(tmp_path):
    campaign = make_campaign()
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + f"{HEADING}\n{good_row(1)}\n".encode())

    report = run_import(path, options(campaign, path, dry_run=False))

    assert report.imported == 1


def test_a_ten_megabyte_line_is_one_invalid_row_not_a_crash(tmp_path):
    campaign = make_campaign()
    huge = "Huge," + "x" * 10_000_000 + ",huge@example.org,DE,10115,"
    path = write(tmp_path, "\n".join([HEADING, good_row(1), huge, good_row(2)]) + "\n")

    report = run_import(path, options(campaign, path, dry_run=False))

    assert report.invalid == 1
    assert report.imported == 2
    assert "longer than" in report.reasons.most_common(1)[0][0]


def test_a_file_missing_a_required_column_is_refused_whole(tmp_path):
    campaign = make_campaign()
    path = write(tmp_path, "first name,email,country\nAda,ada@example.org,DE\n")

    report = run_import(path, options(campaign, path, dry_run=False))

    assert any("Last name" in problem for problem in report.problems)
    assert not Signature.objects.exists()


def test_an_empty_file_is_refused_with_a_reason(tmp_path):
    campaign = make_campaign()
    path = write(tmp_path, "")

    report = run_import(path, options(campaign, path, dry_run=False))

    assert report.problems
    assert not Signature.objects.exists()


def test_unverified_rows_owe_the_confirmation_email_and_do_not_count(tmp_path):
    campaign = make_campaign()
    path = write(tmp_path, f"{HEADING}\n{good_row(1)}\n")

    run_import(path, options(campaign, path, dry_run=False))

    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING
    assert signature.email_due == Signature.Email.CONFIRM
    assert signature.email_requested_at is not None
    assert links.find_by_token(signature.pk, confirm_token(signature), links.CONFIRM) == signature


def test_verified_rows_count_at_once_and_record_the_partner(tmp_path):
    partner = make_organisation()
    campaign = make_campaign(lead_organisation=partner)
    path = write(
        tmp_path,
        f"{HEADING},consent:{partner.slug},consent_text:{partner.slug}\n"
        f"{good_row(1)},yes,{partner.name} may email me\n{good_row(2)},no,\nNo,Email,,FR,75005,,,\n",
    )
    mapping = guess_mapping(
        ["first name", "last name", "email", "country", "postcode", "signed at",
         f"consent:{partner.slug}", f"consent_text:{partner.slug}"],
        [partner.slug],
    )

    report = run_import(
        path,
        ImportOptions(campaign=campaign, mapping=mapping, partner=partner, verified_by_partner=True, dry_run=False),
    )

    assert report.imported == 3
    signatures = Signature.objects.order_by("pk")
    assert all(s.status == Signature.Status.CONFIRMED and s.vouched_by == partner for s in signatures)
    assert all(s.partner == partner and s.email_due == "" for s in signatures)
    consent = Consent.objects.get()
    assert consent.organisation == partner and consent.text_shown == f"{partner.name} may email me"
    assert signatures[0].contact_consent and not signatures[1].contact_consent


def test_without_email_a_row_duplicates_by_name_postcode_and_country(tmp_path):
    partner = make_organisation()
    campaign = make_campaign()
    make_signature(campaign, first_name="Ada", last_name="Lovelace", postcode="10115", country="DE")
    path = write(tmp_path, f"{HEADING}\nADA,lovelace,,DE,10115,\nAda,Lovelace,,DE,10117,\n")

    report = run_import(
        path, options(campaign, path, partner=partner, verified_by_partner=True, dry_run=False)
    )

    assert (report.duplicate_existing, report.imported) == (1, 1)


def test_twenty_percent_invalid_rows_are_reported_and_the_rest_imported(tmp_path):
    campaign = make_campaign()
    rows = [good_row(n) if n % 5 else f"Bad,Row{n},bad{n}@example.org,DE,ABC," for n in range(500)]
    path = write(tmp_path, "\n".join([HEADING, *rows]) + "\n")

    report = run_import(path, options(campaign, path, dry_run=False))

    assert report.invalid == 100
    assert report.imported == 400
    assert sum(report.reasons.values()) == 100


def test_the_command_prints_the_report_and_imports(tmp_path, capsys):
    campaign = make_campaign()
    path = write(tmp_path, "\n".join([HEADING, good_row(1), good_row(2), BAD_ROWS[1][0]]) + "\n")

    call_command("import_signatures", campaign.slug, str(path), "--dry-run")
    dry = capsys.readouterr().out
    call_command("import_signatures", campaign.slug, str(path))
    real = capsys.readouterr().out

    assert "New: 2" in dry and "Invalid: 1" in dry and "Dry run" in dry
    assert "Imported: 2" in real
    assert Signature.objects.filter(campaign=campaign).count() == 2


def test_the_command_refuses_unknown_campaigns_and_unvouched_verification(tmp_path):
    path = write(tmp_path, f"{HEADING}\n")
    campaign = make_campaign()
    with pytest.raises(CommandError):
        call_command("import_signatures", "no-such-campaign", str(path))
    with pytest.raises(CommandError):
        call_command("import_signatures", campaign.slug, str(path), "--verified-by-partner")
    assert Campaign.objects.count() == 1


def test_a_utf16_file_broken_in_the_middle_is_refused_whole(tmp_path):
    campaign = make_campaign()
    good = "\n".join([HEADING, *(good_row(n) for n in range(2000))]) + "\n"
    data = good.encode("utf-16")
    # A lone high surrogate far into the file: no UTF-16 decoder accepts it.
    broken = data[: len(data) - 200] + b"\x00\xd8\x41\x00" + data[len(data) - 200 :]
    path = tmp_path / "broken.csv"
    path.write_bytes(broken)

    report = run_import(path, options(campaign, path, dry_run=False))

    assert report.problems and "UTF-16" in report.problems[0].upper()
    assert not Signature.objects.exists()
