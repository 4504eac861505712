"""The draft s55 response letter: one wording, rendered as HTML, Markdown and Word.

How the letter is made
----------------------
The wording lives in Jinja2 templates, ``templates/letter/parts/<part>.html.j2``, one per
part of a published response (``draft.html.j2`` lists them in order; :data:`PARTS` names
them). They are rendered, with what :mod:`~toolkit.letter.context` draws from the briefing,
with autoescaping into a small, fixed vocabulary of HTML elements, which
:mod:`~toolkit.letter.reader` reads back into a :class:`Letter`: a list of typed
:class:`Block` s made of typed :class:`Segment` s. Because every value from params is
autoescaped on the way in, text such as ``<script>`` or ``{{ 7*7 }}`` in a recommendation can
only ever become text in the model, never structure or code. The model is then rendered three
ways: ``letter/render.html.j2`` (the briefing, escaped), ``letter/render.md.j2`` (Markdown,
every piece of text escaped by the ``md`` filter) and python-docx (literal runs).

The templates are loaded through an overlay of :func:`toolkit.text.templating.environment` (a loader
on the package ``toolkit``), so they live in ``toolkit/templates/letter/``, not next to these
modules. The overlays (:func:`~toolkit.letter.draft.letter_environment`, and the Markdown
one) have their own template caches, globals and filters: drafting never changes the shared
environment the briefing's sections render with.

A force changes the wording by naming a folder in ``force.yaml`` (``templates: templates``)
that holds a file of the same name, e.g. ``templates/letter/parts/monitoring.html.j2``; that
file is used instead of the shipped one, part by part.

Decisions where the contract is silent
--------------------------------------
* **Date**: the letter is dated ``response.sent`` when the report file gives it; otherwise
  the date line is the gap marker ``[Date of sending]``, filled in when the letter goes.
* **Order of parts**: addressee, date (and ``letter.reference``), salutation, title,
  opening (the report's publication date, once; lateness and its reason), welcome (with any
  thanks to HMICFRS), the Chief Constable's statement and the PCC's reply, the
  recommendations, causes of concern and areas for improvement under their own headings,
  "Specific actions by <force>" (opened by the PCC's account of the force, then the force's
  own actions and figures), partnership working and the actions of the PCC's office under
  their own headings, the Police and Crime Plan and monitoring, publication, sign-off with
  the ``Copy:`` line.
* **Whose words**: the PCC's own words (``response.explanations``, ``pcc_reply``,
  ``local_context`` …) print as written, with no label before them; what the force reports
  (its updates) is attributed to it ("The force reports that …", with the status it
  records); the Chief Constable's statement is printed as a signed quotation. A not-accepted
  recommendation is answered only in the PCC's words: without them the draft shows a gap.
  ``letter.voice: joint`` writes what the PCC and Chief Constable say together as "The
  Chief Constable and I …"; ``letter.leads`` prints owners as leads (off by default).
* **As at**: the letter is drafted from the facts as at its date (``response.sent``, else
  the quarter's end; :attr:`toolkit.facts.Facts.letter_date`): due and target dates before
  it are written as past, a moved target names the first one, a late letter says so, and
  figures more than two quarters older than it are named in a gap instead of cited.
* **Salutation**, **gaps**, **order of items** and **figures**: see
  :mod:`toolkit.letter.context`, which gives the templates what they say.

Compliance checks
-----------------
:attr:`Letter.compliance` lists :class:`Check` s with these ids: ``report-facts``,
``recommendations-explained`` (s55(5B): fails on a statement in place of itemised answers,
an item with no update, and a not-accepted recommendation without the PCC's explanation),
``not-accepted-history`` (a not-accepted recommendation the force earlier reported as being
acted on, until the PCC's explanation is given), ``chief-constable-comments`` (s55(4), (5)),
``publication-stated`` (s55(5)), ``copies-sent`` (s55(6): HMICFRS and the Home Secretary
named in the addressee or on the ``Copy:`` line), ``sent-in-time`` (s55(5A)) and ``no-gaps``.
They are reported, not enforced: a draft with failing checks is still written. Their ids,
requirements and shared rules live in one registry, :mod:`~toolkit.letter.s55`, which the
checks on the letter as sent (:mod:`toolkit.letter.sent`) use too.

Modules
-------
``draft``
    :func:`draft_letter`: templates in, :class:`Letter` out.
``context``
    What the templates get from the briefing: :class:`Entry`, :func:`salutation`, figures.
``reader``
    The rendered HTML read back into blocks.
``blocks``
    :class:`Block`, :class:`Segment`, :data:`PARTS` and :class:`Check`: plain data.
``model``
    :class:`Letter`; rendering as HTML, Markdown and Word.
``compliance``
    The s55 checks of the draft.
``s55``
    The registry of s55 checks shared with the letter as sent.
``markdown``
    Markdown escaping and rendering.
``word``
    The Word document (python-docx).
"""

from toolkit.letter.blocks import PARTS, Block, Check, Segment
from toolkit.letter.context import Entry, salutation
from toolkit.letter.draft import draft_letter
from toolkit.letter.model import Letter

__all__ = ["PARTS", "Block", "Check", "Entry", "Letter", "Segment", "draft_letter", "salutation"]
