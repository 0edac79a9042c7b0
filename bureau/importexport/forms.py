"""The admin's import form: the uploaded file is checked before it is stored or parsed."""

from django import forms
from import_export.forms import ImportForm

from bureau.importexport.formats import UploadRefused, check_xlsx_upload


class PortalImportForm(ImportForm):
    def clean_import_file(self):
        import_file = self.cleaned_data["import_file"]
        try:
            check_xlsx_upload(import_file, import_file.size)
        except UploadRefused as refused:
            raise forms.ValidationError(str(refused), code="refused") from None
        finally:
            import_file.seek(0)
        return import_file
