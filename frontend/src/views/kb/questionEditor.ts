// The questions of an article for its editors: the list with the answer keys,
// and a form that adds a question or changes one. Single choice questions mark
// their correct option with a radio button, multiple choice ones with
// checkboxes, and open questions have no options. The server checks the
// question as a whole, and its message shows under the form.

import { element, field, option } from "../../dom";
import { runInBackground, showNotice } from "../../feedback";
import { localized } from "../../i18n";
import {
  createQuestion,
  deleteQuestion,
  fetchQuestions,
  updateQuestion,
  type EditableQuestion,
  type QuestionBody,
  type QuestionKind,
} from "./kbApi";
import { kt, type KbTextKey } from "./kbTexts";
import { createFormError, submitWith } from "./formError";

const KIND_LABELS: Record<QuestionKind, KbTextKey> = {
  single: "questionKindSingle",
  multiple: "questionKindMultiple",
  open: "questionKindOpen",
};
const NEW_QUESTION_OPTIONS = 3;

interface OptionDraft {
  text: string;
  correct: boolean;
}

export interface QuestionEditor {
  node: HTMLElement;
  destroy(): void;
}

export function createQuestionEditor(articleId: string): QuestionEditor {
  let destroyed = false;
  let editing: EditableQuestion | null = null;
  let drafts: OptionDraft[] = [];
  let formCount = 0;

  const list = element("ol", { className: "kb-question-list", testId: "kb-question-list" });
  const formHeading = element("h3");
  const kindSelect = element("select", { testId: "kb-question-kind" });
  for (const kind of Object.keys(KIND_LABELS) as QuestionKind[]) kindSelect.append(option(kind, kt(KIND_LABELS[kind])));
  const textInput = element("textarea", { testId: "kb-question-text-input", attributes: { rows: 2, maxlength: 2000 } });
  const optionsSlot = element("div", { className: "kb-option-editor", testId: "kb-question-options" });
  const addOptionButton = element("button", {
    className: "button",
    testId: "kb-question-add-option",
    text: kt("questionAddOption"),
    attributes: { type: "button" },
  });
  const optionsBlock = element("fieldset", { className: "kb-option-block" }, [
    element("legend", { text: kt("questionOptions") }),
    element("p", { className: "muted", text: kt("questionOptionsHint") }),
    optionsSlot,
    addOptionButton,
  ]);
  const formError = createFormError("kb-question-error");
  const saveButton = element("button", {
    className: "button button-primary",
    testId: "kb-question-save",
    attributes: { type: "submit" },
  });
  const cancelButton = element("button", {
    className: "button",
    testId: "kb-question-cancel",
    text: kt("editorCancel"),
    attributes: { type: "button" },
  });

  function currentKind(): QuestionKind {
    return kindSelect.value as QuestionKind;
  }

  function renderOptions(): void {
    const kind = currentKind();
    optionsBlock.hidden = kind === "open";
    formCount += 1;
    const group = `kb-correct-${formCount}`;
    optionsSlot.replaceChildren(
      ...drafts.map((draft, index) => {
        const mark = element("input", {
          testId: "kb-question-option-correct",
          attributes: {
            type: kind === "single" ? "radio" : "checkbox",
            name: group,
            "aria-label": kt("questionCorrect"),
          },
        });
        mark.checked = draft.correct;
        mark.addEventListener("change", () => {
          if (kind === "single") drafts.forEach((other, otherIndex) => (other.correct = otherIndex === index));
          else draft.correct = mark.checked;
        });
        const input = element("input", {
          testId: "kb-question-option-text",
          attributes: { type: "text", maxlength: 500, "aria-label": kt("questionOptionText", { number: index + 1 }) },
        });
        input.value = draft.text;
        input.addEventListener("input", () => (draft.text = input.value));
        const remove = element("button", {
          className: "button",
          testId: "kb-question-remove-option",
          text: "×",
          attributes: { type: "button", "aria-label": kt("questionRemoveOption"), title: kt("questionRemoveOption") },
        });
        remove.addEventListener("click", () => {
          drafts.splice(index, 1);
          renderOptions();
        });
        return element("div", { className: "kb-option-row", testId: "kb-question-option-row" }, [
          element("label", { className: "kb-option" }, [mark, kt("questionCorrect")]),
          input,
          remove,
        ]);
      }),
    );
  }

  function startForm(question: EditableQuestion | null): void {
    editing = question;
    formError.clear();
    formHeading.textContent = question ? kt("questionEditTitle") : kt("questionNewTitle");
    saveButton.textContent = question ? kt("editorSave") : kt("questionAdd");
    cancelButton.hidden = question === null;
    kindSelect.value = question?.kind ?? "single";
    textInput.value = question?.text ?? "";
    drafts = question
      ? question.options.map((choice) => ({ text: choice.text, correct: Boolean(choice.correct) }))
      : Array.from({ length: NEW_QUESTION_OPTIONS }, () => ({ text: "", correct: false }));
    renderOptions();
  }

  kindSelect.addEventListener("change", () => {
    if (currentKind() === "single") {
      // Keep only the first correct mark, as a radio group can show one.
      let seen = false;
      for (const draft of drafts) {
        draft.correct = draft.correct && !seen;
        seen ||= draft.correct;
      }
    }
    if (currentKind() !== "open" && drafts.length === 0) {
      drafts = Array.from({ length: NEW_QUESTION_OPTIONS }, () => ({ text: "", correct: false }));
    }
    renderOptions();
  });
  addOptionButton.addEventListener("click", () => {
    drafts.push({ text: "", correct: false });
    renderOptions();
  });
  cancelButton.addEventListener("click", () => startForm(null));

  function body(): QuestionBody {
    const kind = currentKind();
    return {
      kind,
      text: textInput.value,
      options: kind === "open" ? [] : drafts.map((draft) => ({ text: draft.text, correct: draft.correct })),
    };
  }

  async function save(): Promise<void> {
    if (editing) {
      await updateQuestion(editing.id, body());
      showNotice(kt("questionSaved"));
    } else {
      await createQuestion(articleId, body());
      showNotice(kt("questionAdded"));
    }
    if (destroyed) return;
    startForm(null);
    await load();
  }

  const form = element(
    "form",
    {
      className: "kb-question-form card",
      testId: "kb-question-form",
      on: {
        submit: (event) => {
          event.preventDefault();
          void submitWith(saveButton, formError, save);
        },
      },
    },
    [
      formHeading,
      field(kt("questionKind"), kindSelect),
      field(kt("questionText"), textInput),
      optionsBlock,
      formError.node,
      element("div", { className: "form-actions" }, [saveButton, cancelButton]),
    ],
  );

  function renderQuestion(question: EditableQuestion): HTMLElement {
    const editButton = element("button", {
      className: "button",
      testId: "kb-question-edit",
      text: kt("edit"),
      attributes: { type: "button" },
    });
    editButton.addEventListener("click", () => {
      startForm(question);
      form.scrollIntoView({ block: "nearest" });
    });
    const deleteButton = element("button", {
      className: "button",
      testId: "kb-question-delete",
      text: kt("questionDelete"),
      attributes: { type: "button" },
    });
    // The first click asks to confirm in place; the second deletes.
    deleteButton.addEventListener("click", () => {
      if (deleteButton.dataset.confirm !== "true") {
        deleteButton.dataset.confirm = "true";
        deleteButton.textContent = kt("questionDeleteConfirm");
        return;
      }
      void submitWith(deleteButton, formError, async () => {
        await deleteQuestion(question.id);
        showNotice(kt("questionDeleted"));
        if (editing?.id === question.id) startForm(null);
        await load();
      });
    });
    const options = question.options.map((choice) =>
      element(
        "li",
        {
          className: choice.correct ? "kb-option-correct" : "",
          testId: "kb-question-item-option",
          dataset: { correct: String(Boolean(choice.correct)) },
        },
        [localized(choice.text, choice.text_en), choice.correct ? ` ✓ ${kt("questionCorrect")}` : ""],
      ),
    );
    return element("li", { className: "kb-question-item", testId: "kb-question-item", dataset: { questionId: question.id, kind: question.kind } }, [
      element("strong", { testId: "kb-question-item-text", text: localized(question.text, question.text_en) }),
      " ",
      element("span", {
        className: "status-pill",
        testId: "kb-question-item-kind",
        text: `${kt(KIND_LABELS[question.kind])} · ${kt("questionVersion", { version: question.version })}`,
      }),
      options.length ? element("ul", { className: "kb-question-item-options" }, options) : "",
      element("div", { className: "form-actions" }, [editButton, deleteButton]),
    ]);
  }

  async function load(): Promise<void> {
    const { questions } = await fetchQuestions(articleId);
    if (destroyed) return;
    list.replaceChildren(
      ...(questions.length
        ? questions.map(renderQuestion)
        : [element("li", { className: "muted", testId: "kb-questions-empty", text: kt("questionsEmpty") })]),
    );
  }

  const node = element("section", { className: "kb-questions", testId: "kb-questions" }, [
    element("h2", { text: kt("questionsTitle") }),
    list,
    form,
  ]);
  startForm(null);
  void runInBackground(load);

  return {
    node,
    destroy() {
      destroyed = true;
    },
  };
}
