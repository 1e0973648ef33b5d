"""The .xlsx package editor: a workbook as a zip of XML parts, edited without loading it.

:mod:`.ooxml` writes rows, cells and parts as streaming XML (shared by the template builder and the
writer); :mod:`.package` opens an existing workbook's parts, copies the user's parts byte for byte
and adds or replaces only the tool's own sheets, tables and styles.
"""
