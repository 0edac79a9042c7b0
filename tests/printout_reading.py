"""Reading a printout back (python-docx): its paragraphs and its tables as lists of cell texts."""

from io import BytesIO

from docx import Document


def download(client, user, url: str):
    client.force_login(user)
    return client.get(url)


def read(content: bytes):
    return Document(BytesIO(content))


def paragraphs(document) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs if paragraph.text]


def tables(document) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def text(document) -> str:
    parts = paragraphs(document)
    for table in tables(document):
        parts += ["\t".join(row) for row in table]
    return "\n".join(parts)
