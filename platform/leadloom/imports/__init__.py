"""Importing CSV and XLSX lists into any entity through the one write path.

Read a file (``read_sheet``), suggest a column mapping (``suggest_mapping``, ``PRESETS``,
saved mappings), preview the first rows (``preview``), then import as a job
(``start_import``; ``perform`` runs it) and read the run, its counts and its error file.
No Flask: the web layer, the jobs and the CLI call in.
"""

from __future__ import annotations

from leadloom.imports.engine import OUTCOMES as OUTCOMES
from leadloom.imports.engine import Importer as Importer
from leadloom.imports.engine import RowOutcome as RowOutcome
from leadloom.imports.engine import counts as counts
from leadloom.imports.engine import preview as preview
from leadloom.imports.error_file import error_file as error_file
from leadloom.imports.errors import ImportFileError as ImportFileError
from leadloom.imports.errors import ImportRequestError as ImportRequestError
from leadloom.imports.fields import ImportField as ImportField
from leadloom.imports.fields import importable_fields as importable_fields
from leadloom.imports.mapping import suggest_mapping as suggest_mapping
from leadloom.imports.options import ON_DUPLICATE as ON_DUPLICATE
from leadloom.imports.options import ImportOptions as ImportOptions
from leadloom.imports.presets import PRESETS as PRESETS
from leadloom.imports.presets import Preset as Preset
from leadloom.imports.runs import Enqueuer as Enqueuer
from leadloom.imports.runs import ImportRun as ImportRun
from leadloom.imports.runs import create_run as create_run
from leadloom.imports.runs import import_run as import_run
from leadloom.imports.runs import import_runs as import_runs
from leadloom.imports.runs import perform as perform
from leadloom.imports.runs import run_outcomes as run_outcomes
from leadloom.imports.runs import start_import as start_import
from leadloom.imports.saved import SavedMapping as SavedMapping
from leadloom.imports.saved import find_mapping as find_mapping
from leadloom.imports.saved import list_mappings as list_mappings
from leadloom.imports.saved import save_mapping as save_mapping
from leadloom.imports.sheets import Sheet as Sheet
from leadloom.imports.sheets import read_sheet as read_sheet
