"""The documents app's writes, in one place for views, the API and commands (each concern has its own module).

- ``documents.generation``: the generated documents and their export records;
- ``documents.bundle``: what a bundle holds and the ZIP bundle;
- ``documents.bundle_pdf``: the paginated PDF bundle;
- ``documents.conversion``: .docx to PDF/A with LibreOffice;
- ``documents.sandbox``: the locked-down filling of organisation .docx templates;
- ``documents.org_templates``: organisation templates (upload, list, delete, fill);
- ``documents.storage``: where template files live.
"""
from __future__ import annotations

from documents import generators, selectors  # noqa: F401  (views reach the labels through here)
from documents.bundle import (  # noqa: F401
    BundleError,
    BundleIntegrityError,
    BundlePlan,
    PreparedBundle,
    bundle_plan,
    bundle_prepare,
    exhibit_arcname,
    manifest_csv,
    sha256sums,
)
from documents.bundle_pdf import BundlePdfUnavailable, PreparedPdf, bundle_pdf_prepare  # noqa: F401
from documents.generation import (  # noqa: F401
    GeneratedDocument,
    chronology_generate,
    custody_report_generate,
    document_filename,
    exhibit_list_generate,
    incident_dossier_generate,
    slug,
)
from documents.org_templates import (  # noqa: F401
    template_attach,
    template_context,
    template_delete,
    template_fill,
    template_get,
    template_upload,
    templates_for,
)
from documents.pdf_tools import sanitise_filename  # noqa: F401
from documents.sandbox import check_docx, template_context_specimen  # noqa: F401
from documents.storage import TemplateTooLarge, max_template_bytes, template_bytes, template_name  # noqa: F401
