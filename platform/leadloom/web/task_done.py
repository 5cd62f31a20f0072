"""What the in-place 完成 script (``leadloom/task_done_script.html``) says, shared by 我的待办
and the calendar: both post to ``/tasks/mine/done/<id>`` as JSON."""

from __future__ import annotations

from leadloom.metadata.messages import Message
from leadloom.web.language import translated

FAILED = Message("the task could not be marked done; reload the page and try again")
#: what an emptied group of 我的待办 shows
NONE = Message("No tasks")


def done_texts() -> dict[str, str]:
    """The script's texts, in the reader's language."""
    return {"failed": translated(FAILED), "none": translated(NONE)}
