import type { StrategyContext, StudentFiles } from '../strategy-context.js';
import { judgeReplies } from './judge-and-correct.js';
import { type LoglikAccuracy, studentLoglik } from './loglik-answers.js';
import { type StudentPrediction, studentAnswers } from './student-answers.js';

export interface Evaluation extends StudentFiles {
  stage: string;
  predictions: StudentPrediction[];
  correct: number;
  total: number;
  /** The same student scored by log-likelihood over each item's options, where it can be. */
  loglik?: LoglikAccuracy;
}

/**
 * The student answers the held-out test items; replies without an exact key are judged by the
 * teacher. Beside that generated-answer score, the items with options are also scored by
 * log-likelihood, which puts an untrained student at chance instead of at 0. A LoRA student is
 * evaluated as llama.cpp runs it: the base with the adapter applied.
 */
export async function evaluateStudent(
  context: StrategyContext,
  stage: string,
  student: StudentFiles,
  promptPrefix = '',
): Promise<Evaluation> {
  const predictions = await studentAnswers(context, `${stage}.evaluate`, student, context.test, promptPrefix);
  const needJudge = context.test.filter((_item, index) => predictions[index]?.correct === undefined);
  if (needJudge.length > 0) {
    const { wrong, failures } = await judgeReplies(
      context,
      `${stage}.evaluate-judge`,
      needJudge,
      predictions,
    );
    const wrongIds = new Set([
      ...wrong.map((prediction) => prediction.itemId),
      ...failures.map((failure) => failure.itemId),
    ]);
    for (const prediction of predictions) {
      if (prediction.correct === undefined) prediction.correct = !wrongIds.has(prediction.itemId);
    }
  }
  const correct = predictions.filter((prediction) => prediction.correct === true).length;
  const loglik = await studentLoglik(context, `${stage}.loglik`, student, context.test, promptPrefix);
  return {
    stage,
    modelPath: student.modelPath,
    ...(student.adapterPath ? { adapterPath: student.adapterPath } : {}),
    predictions,
    correct,
    total: predictions.length,
    ...(loglik ? { loglik } : {}),
  };
}
