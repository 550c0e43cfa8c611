"""Spreadsheets and calendars as other programs make and read them, for the browser
journey: `write FILE ROWS_JSON` writes a register with openpyxl (a value
"date:YYYY-MM-DD" becomes a date cell; a row {"heading": TEXT} is a group heading
merged across the columns, as offices type it), `read FILE` prints the first sheet's rows as
JSON (dates as YYYY-MM-DD), `ical` parses iCalendar from stdin with python's
icalendar and prints each event's summary, date, url and number of alarms."""

import datetime
import json
import sys

HEADERS = ["Nhóm", "Mã", "Nội dung", "Đơn vị chủ trì", "Phối hợp", "Hạn", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch"]


def cell(v):
    if isinstance(v, str) and v.startswith("date:"):
        return datetime.date.fromisoformat(v[5:])
    return v


def plain(v):
    if isinstance(v, datetime.datetime):
        return v.date().isoformat()
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def main():
    what = sys.argv[1]
    if what == "write":
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Nhiệm vụ"
        ws.append(HEADERS)
        for row in json.loads(sys.argv[3]):
            if isinstance(row, dict):
                ws.append([row["heading"]])
                r = ws.max_row
                ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(HEADERS))
            else:
                ws.append([cell(v) for v in row])
        for r in ws.iter_rows(min_row=2, min_col=6, max_col=6):
            for c in r:
                c.number_format = "dd/mm/yyyy"
        wb.save(sys.argv[2])
    elif what == "read":
        import openpyxl

        wb = openpyxl.load_workbook(sys.argv[2], read_only=True)
        ws = wb.worksheets[0]
        print(json.dumps([[plain(v) for v in row] for row in ws.iter_rows(values_only=True)], ensure_ascii=False))
    elif what == "ical":
        import icalendar

        cal = icalendar.Calendar.from_ical(sys.stdin.read())
        out = []
        for e in cal.walk("VEVENT"):
            out.append(
                {
                    "summary": str(e.get("SUMMARY")),
                    "date": e.decoded("DTSTART").isoformat(),
                    "url": str(e.get("URL")),
                    "alarms": len(e.walk("VALARM")),
                }
            )
        print(json.dumps(out, ensure_ascii=False))
    else:
        sys.exit(f"unknown command {what}")


if __name__ == "__main__":
    main()
