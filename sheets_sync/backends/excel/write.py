"""Applying a batch to the workbook file by patching its XML (see docs/excel.md).

Only these parts can change: the worksheets that get values, an Excel table over appended
rows (its range grows), styles.xml when a date or template style has to be added (entries
appended, none changed), and for new sheets the package index (workbook.xml, its rels,
[Content_Types].xml), where entries are only added. Every other part is copied through
with its compressed bytes untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from sheets_sync.backends.excel.append import streamed_append
from sheets_sync.backends.excel.cells import drop_unstorable, drop_unstorable_rows, escape_attr
from sheets_sync.backends.excel.chart import (
    CT_CHART,
    CT_DRAWING,
    REL_DRAWING,
    chart_xml,
    drawing_rels,
    drawing_xml,
)
from sheets_sync.backends.excel.new_sheets import (
    TemplateStyles,
    format_styles,
    new_sheet_xml,
    rows_xml,
)
from sheets_sync.backends.excel.package import (
    Fingerprint,
    Package,
    fingerprint,
    rels_part,
    write_package,
)
from sheets_sync.backends.excel.read import (
    NS_MAIN,
    NS_MAIN_STRICT,
    SheetInfo,
    WorkbookInfo,
    read_rels,
    workbook_info,
)
from sheets_sync.backends.excel.sheet import (
    SheetPatch,
    SheetStyle,
    grow_ref_rows,
    patch_sheet,
    patched_pieces,
    patched_stream,
    replace_sheet_data,
)
from sheets_sync.backends.excel.spill import SpilledPart, spill, spilled
from sheets_sync.backends.excel.styles import CT_STYLES, REL_STYLES, REL_STYLES_STRICT, Styles
from sheets_sync.backends.excel.tool_columns import dress_new_columns
from sheets_sync.backends.excel.verify import cells_to_check, verify
from sheets_sync.errors import SourceChanged, SourceError
from sheets_sync.heap import map_big_blocks
from sheets_sync.workbook import SheetContent, WorkbookData, WriteBatch, WriteResult
from sheets_sync.write.cells import CellWrites, cells_for

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
REL_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
REL_TABLE = "/table"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CHANGED = "{name} was saved by someone else while we were writing; nothing was written (run again)"
FORMULA_KEPT = "{cell} holds a formula; it was left as it is"


class Editor:
    """The package being edited: parts changed so far, the styles, the index edits."""

    def __init__(self, pkg: Package, info: WorkbookInfo) -> None:
        self.pkg = pkg
        self.info = info
        self.changed: dict[str, bytes | SpilledPart] = {}  # a big part spilled to a temporary file
        self.styles = Styles(pkg.read(info.styles), where=f"{pkg.name}: part {info.styles}") if info.styles \
            else Styles(None, _main_namespace(pkg, info))
        self._template: TemplateStyles | None = None

    def part(self, name: str) -> bytes:
        """A part's bytes as edited so far."""
        if name not in self.changed:
            return self.pkg.read(name)
        data = self.changed[name]
        return data.read() if isinstance(data, SpilledPart) else data

    def has(self, name: str) -> bool:
        return name in self.changed or self.pkg.has(name)

    def template_styles(self) -> TemplateStyles:
        if self._template is None:
            self._template = TemplateStyles(self.styles)
        return self._template

    def free_name(self, folder: str, stem: str, ext: str) -> str:
        """An unused part name like xl/worksheets/sheet7.xml."""
        n = 1
        while self.has(f"{folder}/{stem}{n}{ext}"):
            n += 1
        return f"{folder}/{stem}{n}{ext}"

    def add_override(self, part: str, content_type: str) -> None:
        """List ``part`` in [Content_Types].xml (appended before </Types>)."""
        data = self.part("[Content_Types].xml")
        entry = f'<Override PartName="/{escape_attr(part)}" ContentType="{content_type}"/>'.encode()
        close = data.rfind(b"</Types>")
        if close < 0:
            raise SourceError(f"{self.pkg.name}: [Content_Types].xml is damaged", source=str(self.pkg.path))
        self.changed["[Content_Types].xml"] = data[:close] + entry + data[close:]

    def add_rel(self, owner: str, rel_type: str, target_part: str) -> str:
        """Add a relationship from ``owner`` to ``target_part``; returns its new Id."""
        name = rels_part(owner)
        data = self.part(name) if self.has(name) else (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{NS_PKG_REL}"></Relationships>').encode()
        ids = {int(m) for m in re.findall(rb'\bId="rId(\d+)"', data)}
        rid = f"rId{max(ids, default=0) + 1}"
        target = _relative(owner, target_part)
        entry = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{escape_attr(target)}"/>'.encode()
        close = data.rfind(b"</Relationships>")
        self.changed[name] = data[:close] + entry + data[close:]
        return rid

    def add_sheet_entry(self, title: str, rid: str) -> None:
        """List a new sheet at the end of workbook.xml's <sheets>."""
        part = self.info.workbook_part
        data = self.part(part)
        m = re.search(rb"</((?:[A-Za-z_][\w.-]*:)?)sheets>", data)
        if m is None:
            raise SourceError(f"{self.pkg.name}: workbook.xml has no sheet list", source=str(self.pkg.path))
        prefix = m.group(1).decode()
        root = re.search(rb"<[A-Za-z_][^>]*>", data)  # the root element's start tag (after <?xml ...?>)
        ns = re.search(rb'xmlns:([A-Za-z_][\w.-]*)="(http://schemas.openxmlformats.org/officeDocument/2006/relationships'
                       rb'|http://purl.oclc.org/ooxml/officeDocument/relationships)"', root.group() if root else b"")
        if ns is not None:
            rel_attr = f'{ns.group(1).decode()}:id="{rid}"'
        else:  # declared per element (openpyxl does this), so declare it on ours too
            rel_attr = f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="{rid}"'
        sheet_id = max((s.sheet_id for s in self.info.sheets), default=0) + 1
        self.info.sheets.append(SheetInfo(title, sheet_id, rid, "", "worksheet"))
        entry = f'<{prefix}sheet name="{escape_attr(title)}" sheetId="{sheet_id}" {rel_attr}/>'.encode()
        self.changed[part] = data[:m.start()] + entry + data[m.start():]

    def finish(self) -> dict[str, bytes | SpilledPart]:
        """The parts to write, styles included when they changed."""
        if self.styles.changed:
            if not self.info.styles:
                self.info.styles = self._add_styles_part()
            self.changed[self.info.styles] = self.styles.data
        return self.changed

    def _add_styles_part(self) -> str:
        """List a new styles part in the package (its relationship and content type), for a
        workbook written without one: dates need a date style."""
        folder = str(PurePosixPath(self.info.workbook_part).parent)
        folder = "" if folder == "." else folder + "/"
        types = self.part("[Content_Types].xml")
        part = f"{folder}styles.xml"
        n = 1
        while self.has(part) or re.search(rb'PartName="/' + re.escape(part.encode()) + rb'"', types, re.I):
            part, n = f"{folder}styles{n}.xml", n + 1
        strict = self.styles.data.find(NS_MAIN_STRICT.encode()) >= 0
        self.add_rel(self.info.workbook_part, REL_STYLES_STRICT if strict else REL_STYLES, part)
        self.add_override(part, CT_STYLES)
        return part


def _main_namespace(pkg: Package, info: WorkbookInfo) -> str:
    """The spreadsheet namespace the workbook part uses (transitional, or Strict OOXML)."""
    return NS_MAIN_STRICT if NS_MAIN_STRICT.encode() in pkg.read(info.workbook_part)[:4096] else NS_MAIN


def _relative(owner: str, target: str) -> str:
    base = PurePosixPath(owner).parent.parts
    parts = PurePosixPath(target).parts
    common = 0
    while common < min(len(base), len(parts)) and base[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + list(parts[common:]))


def _style(editor: Editor, date_system: int) -> SheetStyle:
    def date_style(style: int | None) -> int:
        return editor.styles.date_style(style)

    return SheetStyle(date_system, date_style)


def write_batch(path: Path, batch: WriteBatch, data: WorkbookData, expected: Fingerprint | None,
                before_commit: Callable[[], None] | None = None) -> WriteResult:
    """Apply ``batch`` to the file at ``path``, whose current content is ``data``; returns
    what was written. Raises SourceChanged if the file changes while we work.
    ``before_commit``: called once the new file reads back as written, before it replaces the old."""
    # Planned into cells, each update goes: a big sync's row updates are a tenth of its peak
    # memory, and the caller builds a new batch for any further write.
    map_big_blocks()
    writes = cells_for(batch, data, consume=True)
    for title, changes in writes.cells.items():  # a cell no Excel cell can hold: reported, left out
        writes.dropped.extend(drop_unstorable(title, changes))
    for content in batch.tool_sheets:
        writes.dropped.extend(drop_unstorable_rows(content.title, content.rows))
    with Package(path) as pkg:
        info = workbook_info(pkg)
        editor = Editor(pkg, info)
        try:  # spilled sheets are temporary files: closed (deleted) however the write ends
            style = _style(editor, data.date_system)
            for title, changes in list(writes.cells.items()):
                sheet = info.sheet(title)
                if sheet is None or not pkg.has(sheet.part):
                    writes.dropped.append(f"{title}: sheet not found when writing")
                    continue
                inherit = frozenset([writes.header_rows.get(title, 1)]) if title in batch.new_columns else frozenset()
                grow = None
                if title in writes.appended_rows:
                    first, last = writes.appended_rows[title]
                    grow = (writes.header_rows.get(title, 1), first - 1, last)
                # Only a sheet whose every change is an appended row can be streamed (found
                # out here: the stream itself learns it only at the part's end).
                only_appends = title in writes.appended_rows and min(changes) >= writes.appended_rows[title][0]
                streamed = streamed_append(pkg, sheet.part, changes, style, sheet.name, grow, path.parent) \
                    if only_appends and not inherit else None
                if streamed is not None:  # rows appended to a big log: never loaded whole
                    editor.changed[sheet.part] = streamed
                    _grow_tables(editor, sheet.part, writes, title)
                    continue
                report = SheetPatch()
                if title not in writes.new_columns and sheet.part not in editor.changed \
                        and spilled(pkg.infos[sheet.part].file_size):  # patched as it is read from the zip
                    editor.changed[sheet.part] = SpilledPart(patched_stream(
                        pkg.blocks(sheet.part), changes, style, sheet.name, report, inherit, grow), path.parent)
                else:
                    xml = editor.part(sheet.part)
                    header_styles = None
                    if title in writes.new_columns:  # the tool's columns arrive: widths, notes, filter
                        xml, header_styles = dress_new_columns(editor, sheet.part, xml,
                                                              writes.header_rows.get(title, 1),
                                                              writes.new_columns[title], changes)
                    pieces = patched_pieces(xml, changes, style, sheet.name, report, inherit, grow, header_styles)
                    editor.changed[sheet.part] = spill(pieces, len(xml), path.parent)
                    del xml, pieces
                writes.dropped.extend(FORMULA_KEPT.format(cell=c) for c in report.kept_formulas)
                for r, c in report.kept:
                    writes.cells[title][r].pop(c, None)
                if title in writes.appended_rows:
                    _grow_tables(editor, sheet.part, writes, title)
            for content in batch.tool_sheets:
                _write_tool_sheet(editor, content, data.date_system)
            changed = editor.finish()
            if not changed:
                return WriteResult(len(writes.updated_rows), writes.appended, writes.dropped)
            checks = cells_to_check(writes.cells, batch.tool_sheets)
            writes.cells.clear()  # the read-back needs only the sample it checks: the rest makes room for it
            _write_checked(path, pkg, changed, checks, expected, before_commit)
        finally:
            for part in editor.changed.values():
                if isinstance(part, SpilledPart):
                    part.close()
    return WriteResult(len(writes.updated_rows), writes.appended, writes.dropped)


def _grow_tables(editor: Editor, sheet_part: str, writes: CellWrites, title: str) -> None:
    """Extend any Excel table over the appended rows."""
    first, last = writes.appended_rows[title]
    header = writes.header_rows.get(title, 1)
    for _rid, (rel_type, target, mode) in read_rels(editor.pkg, sheet_part).items():
        if not rel_type.endswith(REL_TABLE) or mode == "External" or not editor.has(target):
            continue
        table = editor.part(target)
        if re.search(rb'totalsRowCount="[1-9]', table):
            continue  # a totals row sits below the data; growing would cover it
        grown = grow_ref_rows(table, b"table", header, first - 1, last)
        if grown != table:
            grown = grow_ref_rows(grown, b"autoFilter", header, first - 1, last)
            editor.changed[target] = grown


def _write_tool_sheet(editor: Editor, content: SheetContent, date_system: int) -> None:
    sheet = editor.info.sheet(content.title)
    if sheet is not None and sheet.part and editor.has(sheet.part) and sheet.kind == "worksheet":
        xml = editor.part(sheet.part)
        body, last_row, last_col = rows_xml(content.rows, _style(editor, date_system), prefix=_prefix(xml),
                                            styles_by_cell=format_styles(content, editor.styles))
        editor.changed[sheet.part] = replace_sheet_data(xml, body, last_row, last_col)
        return
    add_new_sheet(editor, content, date_system)


def _prefix(xml: bytes) -> str:
    from sheets_sync.backends.excel.sheet import sheet_prefix

    return sheet_prefix(xml)


def add_new_sheet(editor: Editor, content: SheetContent, date_system: int) -> None:
    """Create a worksheet part for ``content`` (template formatting when ``content.table``
    is set, a chart when ``content.chart`` is) and list it in the package index."""
    folder = str(PurePosixPath(editor.info.workbook_part).parent)
    folder = "" if folder == "." else folder + "/"
    part = editor.free_name(f"{folder}worksheets", "sheet", ".xml")
    drawing_rid = None
    if content.chart:
        drawing = editor.free_name(f"{folder}drawings", "drawing", ".xml")
        chart = editor.free_name(f"{folder}charts", "chart", ".xml")
        editor.changed[chart] = chart_xml(content.title, content.chart, content.rows)
        editor.changed[drawing] = drawing_xml(content.chart)
        editor.changed[rels_part(drawing)] = drawing_rels(_relative(drawing, chart))
        editor.add_override(drawing, CT_DRAWING)
        editor.add_override(chart, CT_CHART)
        editor.changed[part] = b""  # reserve the name before its rels are added
        drawing_rid = editor.add_rel(part, REL_DRAWING, drawing)
    editor.changed[part] = new_sheet_xml(content, _style(editor, date_system), editor.template_styles()
                                         if content.table else None, drawing_rid,
                                         format_styles(content, editor.styles))
    rid = editor.add_rel(editor.info.workbook_part, REL_WORKSHEET, part)
    editor.add_override(part, CT_WORKSHEET)
    editor.add_sheet_entry(content.title, rid)
    editor.info.sheets[-1].part = part


def add_sheets(path: Path, sheets: list[SheetContent], columns: dict[str, list[str]], data: WorkbookData,
               expected: Fingerprint | None, layout: dict[str, object] | None = None) -> None:
    """``init --into``: add the template sheets and the missing headers (appended to each
    sheet's header row, found as ``init`` and the reader find it: ``layout`` is the config
    file's ``[layout]`` table, so a team's own headers count)."""
    from sheets_sync.model.headers import sheet_header_row
    from sheets_sync.workbook import TableRef

    tables: dict[str, TableRef] = {}
    for title in columns:
        sheet = data.sheet(title)
        if sheet is not None:
            tables[title] = TableRef(title, sheet_header_row(sheet, layout), None)
    writes = cells_for(WriteBatch(tables=tables, new_columns=columns), data)
    with Package(path) as pkg:
        info = workbook_info(pkg)
        editor = Editor(pkg, info)
        style = _style(editor, data.date_system)
        for title, changes in writes.cells.items():
            entry = info.sheet(title)
            if entry is None:
                continue
            inherit = frozenset([writes.header_rows.get(title, 1)])
            xml, header_styles = editor.part(entry.part), None
            if title in writes.new_columns:
                xml, header_styles = dress_new_columns(editor, entry.part, xml, writes.header_rows.get(title, 1),
                                                      writes.new_columns[title], changes)
            xml, _ = patch_sheet(xml, changes, style, entry.name, inherit, header_styles=header_styles)
            editor.changed[entry.part] = xml
        for content in sheets:
            if info.sheet(content.title) is None:
                add_new_sheet(editor, content, data.date_system)
        changed = editor.finish()
        if not changed:
            return
        _write_checked(path, pkg, changed, cells_to_check(writes.cells, sheets), expected)


def _write_checked(path: Path, pkg: Package, changed: dict[str, bytes | SpilledPart], checks: dict[str, dict[tuple[int, int], object]],
                   expected: Fingerprint | None, before_commit: Callable[[], None] | None = None) -> None:
    """Write the new package, swapped in only once it reads back as written, ``before_commit``
    has returned, and the old file is still the one we read (``expected``)."""

    def check(tmp: Path) -> None:
        verify(tmp, path.name, checks, changed)
        if before_commit is not None:  # before the fingerprint: someone may save while it runs
            before_commit()
        if expected is not None and fingerprint(path) != expected:
            raise SourceChanged(CHANGED.format(name=path.name), source=str(path))

    write_package(path, pkg, changed, verify=check)
